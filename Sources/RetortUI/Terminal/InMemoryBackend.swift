/// A terminal without a terminal: hands out scripted keys (a nil entry is a poll with no
/// key, which lets the UI draw) and keeps every grid drawn. Once the script is used up
/// every poll times out, so a script ends with the keys that quit.
public final class InMemoryBackend: TerminalBackend {
    public var size: (width: Int, height: Int)
    public let utf8: Bool
    public let tier: ColorTier
    private var script: [Key?]
    public private(set) var drawn: [CellGrid] = []
    public private(set) var theme: Theme?

    public init(keys: [Key?], width: Int = 120, height: Int = 36, utf8: Bool = true, tier: ColorTier = .mono) {
        script = keys; size = (width, height); self.utf8 = utf8; self.tier = tier
    }

    /// The last grid drawn.
    public var lastGrid: CellGrid? { drawn.last }

    public func readKey(timeoutMs: Int32) -> Key? { script.isEmpty ? nil : script.removeFirst() }
    public func draw(_ grid: CellGrid) { drawn.append(grid) }
    public func setTheme(_ theme: Theme) { self.theme = theme }
}
