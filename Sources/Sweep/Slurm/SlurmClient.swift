import Foundation
import RunKit

/// Slurm's client commands as Retort uses them: submit a job array, list its tasks in the
/// queue, show, requeue and release one task, and read the completion log. Outputs are parsed
/// into typed records; a failing command is one line naming the command and Slurm's reason.
///
/// The queue is read with `squeue -h -r -o FORMAT`, not `squeue --json`: 22.05 has --json, but
/// its schema changes with every release (job_state became a list in 23.02), while the format
/// letters have been stable for many releases. Accounting (`sacct`) is often absent on small
/// clusters; finished and failed tasks come from the jobcomp/filetxt log when the cluster
/// writes one, and otherwise from the study's manifest (see SlurmQueueState).
public struct SlurmClient: Sendable {
    /// squeue's fields: job id as shown, array job id, array task id, long state, reason.
    public static let queueFormat = "%i|%F|%K|%T|%r"

    let runner: any SlurmCommandRunning
    public init(runner: any SlurmCommandRunning = SlurmProcessRunner()) { self.runner = runner }

    /// Submits the batch script file; returns the array's job id.
    public func submit(scriptFile: String) throws -> Int {
        let out = try checked("sbatch", ["--parsable", scriptFile])
        // --parsable prints "JOBID" or "JOBID;CLUSTER"
        let first = out.split(whereSeparator: \.isNewline).last.map { $0.split(separator: ";").first ?? $0 } ?? ""
        guard let id = Int(first.trimmingCharacters(in: .whitespaces)), id > 0 else {
            throw ConfigError("sbatch: expected a job id from --parsable, got \"\(out.prefix(120))\"")
        }
        return id
    }

    /// The job's tasks still in the queue (pending, running, requeued), one row per task.
    /// A job Slurm no longer knows (all tasks ended and aged out) has no rows.
    public func queue(job: Int) throws -> [SlurmQueueRow] {
        let r = try runner.run("squeue", ["-h", "-r", "-j", "\(job)", "-o", Self.queueFormat])
        if r.status != 0 {
            if r.stderr.contains("Invalid job id specified") { return [] }
            throw Self.failure("squeue", r)
        }
        return try SlurmQueueRow.parse(r.stdout)
    }

    /// `scontrol show job -o JOB_TASK`.
    public func show(job: Int, task: Int) throws -> SlurmJobInfo {
        try SlurmJobInfo.parse(checked("scontrol", ["show", "job", "-o", "\(job)_\(task)"]))
    }

    /// Puts a running or finished task back in the queue (it restarts with
    /// SLURM_RESTART_COUNT set). Slurm holds it until a BeginTime about two minutes later;
    /// `release` lets it start at once.
    public func requeue(job: Int, task: Int) throws {
        _ = try checked("scontrol", ["requeue", "\(job)_\(task)"])
    }

    /// Lets a requeued task start now (22.05 refuses `BeginTime=now` in an update; `StartTime=now` sets it).
    public func release(job: Int, task: Int) throws {
        _ = try checked("scontrol", ["update", "JobId=\(job)_\(task)", "StartTime=now"])
    }

    /// Where the cluster writes its completion log, when it is a jobcomp/filetxt file.
    public func completionLog() throws -> String? {
        let out = try checked("scontrol", ["show", "config"])
        var type: String?, loc: String?
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces), value = parts[1].trimmingCharacters(in: .whitespaces)
            if key == "JobCompType" { type = value }
            if key == "JobCompLoc" { loc = value }
        }
        guard type == "jobcomp/filetxt", let loc, loc.hasPrefix("/") else { return nil }
        return loc
    }

    /// The completion log's records of one job array, oldest first; none when the log is
    /// missing or unreadable.
    public static func completions(job: Int, log path: String) -> [SlurmCompletion] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return SlurmCompletion.parse(String(decoding: data, as: UTF8.self)).filter { $0.arrayJobID == job }
    }

    func checked(_ tool: String, _ args: [String]) throws -> String {
        let r = try runner.run(tool, args)
        guard r.status == 0 else { throw Self.failure(tool, r) }
        return r.stdout
    }

    /// One line: the tool and the last thing it said on stderr, without its "tool: error: " prefix.
    static func failure(_ tool: String, _ r: SlurmCommandOutput) -> ConfigError {
        var said = r.stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        for prefix in ["\(tool): error: ", "\(tool): ", "error: "] where said.hasPrefix(prefix) { said.removeFirst(prefix.count) }
        if said.isEmpty { said = "no message" }
        return ConfigError("\(tool) failed (exit \(r.status)): \(said)")
    }
}
