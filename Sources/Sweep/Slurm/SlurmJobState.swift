/// A Slurm job state as squeue, scontrol and the completion log spell it (long form).
public enum SlurmJobState: Sendable, Equatable {
    case pending, running, completed, failed, cancelled, timeout, nodeFail, outOfMemory
    case preempted, suspended, requeued, other(String)

    public init(_ text: String) {
        // scontrol may append flags ("CANCELLED by 0"); the state is the first word
        let word = text.split(separator: " ").first.map(String.init) ?? text
        switch word {
        case "PENDING": self = .pending
        case "RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING", "RESIZING": self = .running
        case "COMPLETED": self = .completed
        case "FAILED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT": self = .failed
        case "CANCELLED", "REVOKED": self = .cancelled
        case "TIMEOUT": self = .timeout
        case "NODE_FAIL": self = .nodeFail
        case "OUT_OF_MEMORY": self = .outOfMemory
        case "PREEMPTED": self = .preempted
        case "SUSPENDED", "STOPPED": self = .suspended
        case "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD": self = .requeued
        default: self = .other(word)
        }
    }

    /// Still in the queue (waiting or about to run again).
    public var isWaiting: Bool { [.pending, .requeued, .suspended].contains(self) }
    public var isRunning: Bool { self == .running }
    /// Ended without success.
    public var isFailure: Bool {
        switch self {
        case .failed, .cancelled, .timeout, .nodeFail, .outOfMemory, .preempted: true
        default: false
        }
    }
}
