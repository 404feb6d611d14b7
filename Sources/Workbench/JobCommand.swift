/// What the UI (or a script) asks a running job to do. Commands are queued and applied
/// by the worker thread at the next step boundary.
public enum JobCommand: Sendable, Equatable {
    case pause
    case resume
    /// Run `n` steps, then pause.
    case step(Int)
    /// Set a named hyperparameter from text; validated by the job.
    case set(name: String, value: String)
    /// Save the current model (and whatever else the job keeps) to its run folder.
    case save
    /// Restore the last good checkpoint with a lower learning rate (the text, or a tenth of
    /// the current one when nil) and run on.
    case rollback(lr: String?)
    /// Stop the job for good.
    case stop
}

/// A message from the job to the user (shown on the message line and in the log).
public struct JobMessage: Sendable, Equatable {
    public enum Level: String, Sendable { case info, warning, error }
    public let level: Level
    public let text: String
    public let step: Int
    public init(_ level: Level, _ text: String, step: Int) { self.level = level; self.text = text; self.step = step }
}
