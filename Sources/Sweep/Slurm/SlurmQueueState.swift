/// A study point's state as the study's manifest records it (the sweep writes it; this is
/// the part of it the Slurm status needs).
public struct SlurmPointProgress: Sendable, Equatable {
    public enum State: String, Sendable { case pending, running, finished, failed }
    public let index: Int
    public let state: State
    /// The last line the point's run wrote, shown for failed tasks.
    public let lastLogLine: String?
    public init(index: Int, state: State, lastLogLine: String? = nil) {
        self.index = index; self.state = state; self.lastLogLine = lastLogLine
    }
}

/// One array task of a submitted study: which points it runs and where it stands.
public struct SlurmTaskStatus: Sendable, Equatable {
    public enum State: String, Sendable { case queued, running, finished, failed }
    public let task: Int
    public let points: Range<Int>
    public let state: State
    /// Why: Slurm's pending reason, points done, the Slurm end state, or a log's last line.
    public let detail: String

    public init(task: Int, points: Range<Int>, state: State, detail: String) {
        self.task = task; self.points = points; self.state = state; self.detail = detail
    }
}

/// Merges the manifest with what Slurm says (squeue rows and completion-log records) into
/// queued | running | finished | failed per array task. The queue wins while a task is in it
/// (a requeued task is queued even though its first attempt ended); after it left the queue,
/// the manifest decides (all points finished → finished), and a task that left the queue with
/// points unfinished failed, with the Slurm end state when the completion log has one.
public enum SlurmQueueState {
    /// - Parameters:
    ///   - points: the manifest's points (indices 0..<n).
    ///   - chunk: points per task, as submitted.
    ///   - job: the array's job id.
    ///   - taskLogLastLine: the last line of a task's Slurm log, used when no point has one.
    public static func merge(points: [SlurmPointProgress], chunk: Int, job: Int,
                             queue: [SlurmQueueRow], completions: [SlurmCompletion],
                             taskLogLastLine: (Int) -> String? = { _ in nil }) -> [SlurmTaskStatus] {
        let byIndex = Dictionary(points.map { ($0.index, $0) }, uniquingKeysWith: { _, b in b })
        let n = (points.map(\.index).max() ?? -1) + 1
        guard n > 0, chunk >= 1 else { return [] }
        var rows: [Int: SlurmQueueRow] = [:]
        for r in queue where r.arrayJobID == job { if let t = r.arrayTaskID { rows[t] = r } }
        var last: [Int: SlurmCompletion] = [:]
        for c in completions where c.arrayJobID == job { if let t = c.arrayTaskID { last[t] = c } }

        return stride(from: 0, to: n, by: chunk).map { start in
            let task = start / chunk
            let range = start..<min(start + chunk, n)
            let mine = range.map { byIndex[$0] ?? SlurmPointProgress(index: $0, state: .pending) }
            let done = mine.filter { $0.state == .finished }.count
            let progress = "\(done)/\(range.count) points finished"
            func status(_ s: SlurmTaskStatus.State, _ d: String) -> SlurmTaskStatus {
                SlurmTaskStatus(task: task, points: range, state: s, detail: d)
            }
            func logLine() -> String {
                let failed = mine.first { $0.state == .failed && $0.lastLogLine != nil }
                let line = failed?.lastLogLine ?? mine.first { $0.state != .finished && $0.lastLogLine != nil }?.lastLogLine
                    ?? taskLogLastLine(task)
                return line.map { ": \($0)" } ?? ""
            }

            if let row = rows[task] {
                if row.state.isRunning { return status(.running, progress) }
                if row.state.isWaiting {
                    let again = last[task]?.state == .pending || row.state == .requeued ? "requeued, " : ""
                    return status(.queued, "\(again)pending (\(row.reason)); \(progress)")
                }
                if row.state.isFailure { return status(.failed, "\(describe(row.state))\(logLine())") }
            }
            if done == range.count { return status(.finished, progress) }
            if let p = mine.first(where: { $0.state == .failed }) {
                return status(.failed, "point \(p.index) failed\(logLine())")
            }
            if let c = last[task], c.state.isFailure {
                return status(.failed, "\(describe(c.state)) (exit \(c.exitCode)); \(progress)\(logLine())")
            }
            if let c = last[task], c.state == .completed {
                return status(.failed, "task ended with \(progress)\(logLine())")
            }
            return status(.failed, "not in the queue with \(progress)\(logLine())")
        }
    }

    static func describe(_ s: SlurmJobState) -> String {
        switch s {
        case .failed: "FAILED"
        case .cancelled: "CANCELLED"
        case .timeout: "TIMEOUT"
        case .nodeFail: "NODE_FAIL"
        case .outOfMemory: "OUT_OF_MEMORY"
        case .preempted: "PREEMPTED"
        case .other(let w): w
        default: "\(s)".uppercased()
        }
    }
}
