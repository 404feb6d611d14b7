import Foundation
import RetortCore

/// The rollback the three engines share (`TrainingJob`, `DistillJob`, `AttentionJob`):
/// restore the newest good checkpoint (refused files are set aside by
/// `CheckpointStore.openNewest`), cut the metrics back to it (events are kept), write a
/// `rollback` event and lower the learning rate.
public enum Rollback {
    /// The learning rate a rollback sets: `text` when given, else a tenth of the rate that
    /// diverged (or of `lr` when the run has not diverged).
    public static func targetLR(_ text: String?, divergence: Divergence?, lr: Float) -> String {
        text ?? formatLR(Float(Double(divergence?.lr ?? lr) * 0.1))
    }

    /// Runs a rollback. The target lr is validated with `check` before anything changes;
    /// `restore` reads the checkpoint at a URL and puts the job into its state (throwing a
    /// `CheckpointError` for a file it refuses, which is then set aside) and returns the
    /// metrics files' lengths it recorded; `baseLR` is the job's base lr, `position` its step
    /// and epoch, `setLR` applies (and logs) the new lr. Returns the checkpoint restored and
    /// a confirmation line ("diverged at step N (…); rolled back to step-….ckpt, lr A → B").
    public static func perform(store: CheckpointStore?, divergence: Divergence?, lr text: String?, log: MetricsLog?,
                               baseLR: () -> Float, check: (String) throws -> Void,
                               restore: (URL) throws -> [String: UInt64],
                               position: () -> (step: Int, epoch: Int),
                               setLR: (String) throws -> Void) throws -> (url: URL, message: String) {
        guard let store else { throw CheckpointError("this run keeps no checkpoints to roll back to") }
        let target = targetLR(text, divergence: divergence, lr: baseLR())
        try check(target)   // refuse a bad value before anything changes
        let (opened, notes) = try store.openNewest { url in (url: url, metrics: try restore(url)) }
        try log?.rewind(to: opened.metrics)
        let (step, epoch) = position()
        let note = (divergence.map { "diverged at step \($0.step) (\($0.what)); " } ?? "") + "rolled back to \(opened.url.lastPathComponent)"
        log?.write(MetricRecord(kind: "event", step: step, epoch: epoch, values: [], note: note, name: "rollback"))
        let old = baseLR()
        try setLR(target)
        return (opened.url, ([note + ", lr \(formatLR(old)) → \(target)"] + notes).joined(separator: "; "))
    }

    /// The one line a headless run prints (after "retort: ") when it stops at a divergence:
    /// what went wrong, the last good checkpoint and the command that goes on.
    public static func headlessLine(_ d: Divergence, run: String? = nil, lastCheckpoint: (url: URL, step: Int)?, folder: URL) -> String {
        let head = "diverged at step \(d.step)\(run.map { " (\($0))" } ?? ""): \(d.what); "
        guard let last = lastCheckpoint else {
            return head + "no checkpoint was written; start again with a lower lr (e.g. --lr \(formatLR(d.suggestedLR)))"
        }
        return head + "last good checkpoint \(last.url.path) (step \(last.step)); "
            + "continue with a lower lr: retort resume \(folder.path) --lr \(formatLR(d.suggestedLR))"
    }

    /// What the TUI says when a run diverges, with the way out.
    public static func pauseMessage(_ d: Divergence, run: String? = nil, lastCheckpoint: (url: URL, step: Int)?) -> String {
        let head = "diverged at step \(d.step)\(run.map { " (\($0))" } ?? ""): \(d.what)"
        guard let last = lastCheckpoint else { return head + " — no checkpoint to roll back to; start again with a lower lr" }
        return head + " — press r to roll back to step \(last.step) with lr ×0.1 (\(formatLR(d.suggestedLR))), or :rollback LR"
    }
}

extension Divergence {
    /// Test hook (as `RETORT_TEST_KILL_IN_CHECKPOINT`): with `RETORT_TEST_NAN_AT_STEP=N` the
    /// distill and attention engines set their first weight to NaN just before step N — once
    /// per process, so a rollback then runs past it — and the end-to-end tests can make a
    /// run diverge at a known step (the ViT's AdamW runs do not diverge from a high lr alone).
    static let testNaNStep = ProcessInfo.processInfo.environment["RETORT_TEST_NAN_AT_STEP"].flatMap { Int($0) }
    nonisolated(unsafe) static var testNaNDone = false

    /// Applies the test hook before step `next` (1-based): one comparison when unset.
    public static func testHook(_ parameters: [Parameter], next: Int) {
        guard let n = testNaNStep, n == next, !testNaNDone, let p = parameters.first, p.value.count > 0 else { return }
        testNaNDone = true
        p.value.data[0] = .nan
    }
}
