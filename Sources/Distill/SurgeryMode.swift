/// Gradient surgery between the student's and the teacher's gradients on shared weights.
public enum SurgeryMode: String, Codable, Sendable, CaseIterable {
    /// No projection.
    case none
    /// PCGrad, both gradients projected off each other when they conflict.
    case symmetric = "sym"
    /// Only the teacher's gradient is projected off the student's.
    case asymmetric = "asym"
    /// The teacher's gradient on the shared elements is dropped when they conflict.
    case drop
}
