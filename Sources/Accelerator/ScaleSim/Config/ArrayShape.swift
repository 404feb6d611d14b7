/// A systolic array of `rows` (SCALE-Sim `ArrayHeight`, R) × `cols` (`ArrayWidth`, C) PEs.
public struct ArrayShape: Hashable, Sendable, CustomStringConvertible {
    public var rows: Int, cols: Int
    public init(rows: Int, cols: Int) {
        precondition(rows > 0 && cols > 0, "array dimensions must be positive")
        self.rows = rows; self.cols = cols
    }
    public var pes: Int { rows * cols }
    public var description: String { "\(rows)×\(cols)" }

    /// Parses `16x16` / `16×16` / `16`.
    public init?(parsing s: String) {
        let parts = s.split(whereSeparator: { $0 == "x" || $0 == "X" || $0 == "×" }).map { Int($0) }
        if parts.count == 1, let r = parts[0], r > 0 { self.init(rows: r, cols: r); return }
        guard parts.count == 2, let r = parts[0], let c = parts[1], r > 0, c > 0 else { return nil }
        self.init(rows: r, cols: c)
    }
}
