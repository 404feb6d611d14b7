/// Kinds of hardware unit (one of each per chunk, plus the shared DRAM channel).
public enum UnitKind: String, CaseIterable, Sendable, Codable, Comparable {
    case saGeneral = "SA-General"
    case saDiag = "SA-Diag"
    case accumulator = "ACC"
    case divider = "DIV"
    case adder = "ADD"
    /// Softmax baseline only.
    case exp = "EXP"
    /// The DRAM channel (shared by all chunks).
    case dram = "DRAM"

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One hardware unit: a kind in a chunk (DRAM is chunk 0).
public struct UnitID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: UnitKind
    public var chunk: Int
    public init(_ kind: UnitKind, chunk: Int = 0) { self.kind = kind; self.chunk = chunk }
    public var description: String { kind == .dram ? kind.rawValue : "\(kind.rawValue)[\(chunk)]" }
    public static func < (a: Self, b: Self) -> Bool { (a.chunk, a.kind) < (b.chunk, b.kind) }
}
