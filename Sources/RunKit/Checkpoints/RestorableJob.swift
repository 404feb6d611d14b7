import Foundation
import RetortCore

/// A checkpointed job that can be put back into a checkpoint's state: what each engine
/// provides — reading its checkpoint state, making a fresh job for it, restoring it, and
/// its learning-rate setting — and what they share: `resume` (open a run folder at its
/// newest good checkpoint) and `rollback` (go back to it after a divergence with a lower lr).
public protocol RestorableJob: CheckpointedJob {
    /// The non-tensor state of a checkpoint.
    associatedtype State: Decodable
    /// Reads a checkpoint file and its state; one line naming the file on any problem.
    static func readCheckpoint(_ url: URL) throws -> (State, [String: Tensor])
    /// A fresh job for a checkpoint's config, `threads` overriding its thread count; `data`
    /// is the data set an earlier attempt of the same resume loaded (nil: load it).
    static func fresh(for state: State, threads: Int?, dataDirectory: String, data: PreparedData?) throws -> Self
    /// Puts the job into the state a checkpoint holds; everything is checked before anything
    /// changes, so a refused checkpoint (a `CheckpointError` naming `file`) leaves the job as it was.
    func restore(_ state: State, _ tensors: [String: Tensor], file: String) throws
    /// The metrics files' lengths and the checkpoint keep-count a state recorded.
    static func recorded(_ state: State) -> (metrics: [String: UInt64], keep: Int)
    var data: PreparedData { get }
    /// The base learning rate (before the schedule).
    var baseLR: Float { get }
    /// Throws (one line) when `text` is not a valid base lr; changes nothing.
    func checkLR(_ text: String) throws
    /// Sets the base lr now and logs the change.
    func applyLR(_ text: String) throws
}

extension RestorableJob {
    /// Opens a run folder at its newest good checkpoint (refused ones are set aside as
    /// `….ckpt.corrupt` and described in `notes`; see `resumeRun`). `threads` overrides the
    /// saved thread count (results stay bit-identical only with the same count).
    public static func resume(runFolder: URL, dataDirectory: String, threads: Int? = nil) throws -> (job: Self, notes: [String]) {
        var loaded: PreparedData?
        return try resumeRun(runFolder) { url in
            let (s, t) = try readCheckpoint(url)
            let j = try fresh(for: s, threads: threads, dataDirectory: dataDirectory, data: loaded)
            loaded = j.data
            try j.restore(s, t, file: url.path)
            let r = recorded(s)
            return (j, r.metrics, r.keep)
        }
    }

    /// Restores the newest good checkpoint and lowers the learning rate: to `lr` when given,
    /// else to a tenth of the rate that diverged (see `Rollback.perform`). Metrics written
    /// after the checkpoint are cut back (the events are kept). Returns a confirmation line.
    public func rollback(lr text: String? = nil) throws -> String {
        let r = try Rollback.perform(
            store: checkpoints, divergence: divergence, lr: text, log: log, baseLR: { baseLR },
            check: { try checkLR($0) },
            restore: { url in let (s, t) = try Self.readCheckpoint(url); try restore(s, t, file: url.path); return Self.recorded(s).metrics },
            position: { (step, epoch) }, setLR: { try applyLR($0) })
        lastCheckpoint = (r.url, step)
        return r.message
    }
}
