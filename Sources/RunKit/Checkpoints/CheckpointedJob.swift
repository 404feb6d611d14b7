import Foundation
import RetortCore

/// A job that checkpoints and resumes (`TrainingJob`, `DistillJob`, `AttentionJob`): what it
/// provides — its tensors and its non-tensor state — and what they share — writing a
/// checkpoint (`saveCheckpoint`) and opening a run folder at its newest good one
/// (`resumeRun`).
public protocol CheckpointedJob: AnyObject {
    /// Where checkpoints go (nil: none are written).
    var checkpoints: CheckpointStore? { get set }
    var log: MetricsLog? { get set }
    /// The newest checkpoint written or restored in this process.
    var lastCheckpoint: (url: URL, step: Int)? { get set }
    var divergence: Divergence? { get }
    var step: Int { get }
    var epoch: Int { get }
    /// The tensors a checkpoint holds, in file order.
    func checkpointTensors() -> [(name: String, tensor: Tensor)]
    /// The state that is not a tensor, as JSON (it records the metrics files' lengths).
    func encodedState() throws -> Data
}

extension CheckpointedJob {
    /// Writes a checkpoint of the current state (atomically, see `CheckpointStore.write`).
    /// Refuses (one line) after a divergence or when any tensor is not finite: such weights
    /// never reach a checkpoint.
    @discardableResult
    public func saveCheckpoint() throws -> CheckpointInfo {
        guard let store = checkpoints else { throw CheckpointError("this run keeps no checkpoints") }
        if let d = divergence {
            throw CheckpointError("not saving: the run diverged at step \(d.step) (\(d.what)); roll back first")
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let tensors = checkpointTensors()
        if let bad = tensors.first(where: { !$0.tensor.isAllFinite }) {
            throw CheckpointError("not saving step \(step): \(bad.name) holds NaN or Inf")
        }
        log?.sync()
        let data = CheckpointFile.encode(state: try encodedState(), tensors: tensors)
        let url = try store.write(data, step: step)
        lastCheckpoint = (url, step)
        return CheckpointInfo(path: url.path, step: step, bytes: data.count,
                              seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// `saveCheckpoint` as a step result's event (a failure is one line; training goes on).
    public func checkpointEvent() -> CheckpointEvent {
        do { return .saved(try saveCheckpoint()) } catch { return .failed("\(error)") }
    }

    /// Opens a run folder at its newest good checkpoint: takes the folder's `RunLock`, tries
    /// the checkpoints newest first with `build` (which reads one, makes the job and restores
    /// it, returning the metrics lengths and keep-count it recorded; a `CheckpointError` sets
    /// the file aside), then gives the job the folder's checkpoints and its metrics cut back
    /// to the checkpoint, and logs a `resumed` event. Returns the job and one note per file
    /// set aside or temporary removed.
    public static func resumeRun(_ runFolder: URL, build: (URL) throws -> (job: Self, metrics: [String: UInt64], keep: Int)) throws
        -> (job: Self, notes: [String]) {
        try RunLock.holdRun(runFolder)   // one writer per run folder, before anything in it changes
        let r = try CheckpointStore(runFolder: runFolder).openNewest { url -> Self in
            let (j, metrics, keep) = try build(url)
            j.checkpoints = CheckpointStore(runFolder: runFolder, keep: keep)
            j.log = try MetricsLog(folder: runFolder, resumingAt: metrics)
            j.lastCheckpoint = (url, j.step)
            return j
        }
        let j = r.value
        j.log?.write(MetricRecord(kind: "event", step: j.step, epoch: j.epoch, values: [],
                                  note: "resumed from \(j.lastCheckpoint!.url.lastPathComponent)", name: "resumed"))
        return (j, r.notes)
    }
}
