/// Systolic-array dataflows, named as in SCALE-Sim: which operand stays in the PEs.
public enum Dataflow: String, Codable, Sendable, CaseIterable {
    case outputStationary = "os"
    case weightStationary = "ws"
    case inputStationary = "is"
}
