/// What the UI loop needs from a terminal: its size, keys, drawing a grid, the theme and
/// what the terminal can show. `CursesBackend` is the real one; `InMemoryBackend` plays
/// scripted keys and keeps the drawn grids, for tests.
public protocol TerminalBackend: AnyObject {
    var size: (width: Int, height: Int) { get }
    /// Waits up to `timeoutMs` for a key; nil on timeout.
    func readKey(timeoutMs: Int32) -> Key?
    func draw(_ grid: CellGrid)
    func setTheme(_ theme: Theme)
    /// The locale is UTF-8 (else ASCII glyphs are drawn).
    var utf8: Bool { get }
    var tier: ColorTier { get }
}
