/// Systolic-array dataflows, named as in SCALE-Sim: which operand stays in the PEs.
public enum Dataflow: String, Codable, Sendable, CaseIterable {
    case outputStationary = "os"
    case weightStationary = "ws"
    case inputStationary = "is"

    /// Parses SCALE-Sim's spelling (`os`, `ws`, `is`; case-insensitive).
    public init?(scaleSim s: String) {
        self.init(rawValue: s.lowercased())
    }

    /// The stationary operand streams in from the top during a preload of `R` cycles
    /// (WS, IS); OS has no preload.
    public var hasPreload: Bool { self != .outputStationary }
}
