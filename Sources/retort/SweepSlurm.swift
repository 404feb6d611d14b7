import ArgumentParser
import Foundation
import Sweep

/// `retort sweep FILE --slurm …`: the study as one Slurm job array on a shared study folder.
struct SlurmSubmitOptions: ParsableArguments {
    @Flag(help: "Submit the study as one Slurm job array (sbatch) instead of running it here; each task runs `retort sweep run FILE --task K`.")
    var slurm = false
    @Option(help: "Slurm partition (default: the cluster's default).") var partition: String?
    @Option(help: "Time limit per task: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.") var time: String?
    @Option(help: "CPUs per task; each point runs with that many threads (SLURM_CPUS_PER_TASK).") var cpusPerTask: Int = 1
    @Option(help: "At most this many tasks at once (--array=…%K).") var maxParallel: Int?
    @Option(help: "Points per array task (run one after the other).") var chunk: Int = 1
    @Flag(help: "Print the batch script instead of submitting it.") var dryRun = false
}

/// What `--slurm` submitted, kept in the study folder for `retort sweep status`.
struct SlurmSubmission: Codable {
    var job: Int
    var chunk: Int
    var tasks: Int
    static func url(_ folder: StudyFolder) -> URL { folder.url.appendingPathComponent("slurm-job.json") }
    static func read(_ folder: StudyFolder) -> SlurmSubmission? {
        guard let d = try? Data(contentsOf: url(folder)) else { return nil }
        return try? JSONDecoder().decode(SlurmSubmission.self, from: d)
    }
}

enum SweepSlurm {
    /// Writes `slurm.sh` into the study folder and submits it (or prints it with --dry-run).
    static func submit(_ study: Study, folder: StudyFolder, file: String, options o: SlurmSubmitOptions) {
        let script: SlurmBatchScript
        do {
            let array = try SlurmArrayOptions(partition: o.partition, time: o.time, cpusPerTask: o.cpusPerTask,
                                              maxParallel: o.maxParallel, jobName: "retort-" + String(study.name.prefix(100)))
            script = try SlurmBatchScript(studyFile: absolutePath(file), studyFolder: folder.url.standardizedFileURL.path,
                                          retortPath: SweepCommands.executable, points: study.points.count, chunk: o.chunk, options: array,
                                          studyRoot: folder.url.deletingLastPathComponent().standardizedFileURL.path)
        } catch { fail("\(error)") }
        let scriptURL = folder.url.appendingPathComponent("slurm.sh")
        if o.dryRun { print(script.text, terminator: ""); return }
        do {
            try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("logs"), withIntermediateDirectories: true)
            try script.text.write(to: scriptURL, atomically: true, encoding: .utf8)
            let job = try SlurmClient().submit(scriptFile: scriptURL.path)
            let record = SlurmSubmission(job: job, chunk: o.chunk, tasks: script.taskCount)
            try JSONEncoder().encode(record).write(to: SlurmSubmission.url(folder), options: .atomic)
            print("study \(study.name): submitted Slurm job \(job), \(script.taskCount) array task\(script.taskCount == 1 ? "" : "s") of \(o.chunk) point\(o.chunk == 1 ? "" : "s") for \(study.points.count) points; script \(scriptURL.path)")
            print("`retort sweep status \(file)` shows the queue; `retort sweep collect \(file)` the tables when done")
        } catch { terminate(.failure, "\(error)") }
    }

    /// The array tasks' states: the queue (squeue) and the completion log merged with the manifest.
    static func statusLines(_ m: Manifest, folder: StudyFolder) -> [String] {
        guard let sub = SlurmSubmission.read(folder) else { return [] }
        let client = SlurmClient()
        let queue: [SlurmQueueRow]
        do { queue = try client.queue(job: sub.job) } catch { return ["slurm job \(sub.job): \(error)"] }
        let completions = ((try? client.completionLog()) ?? nil).map { SlurmClient.completions(job: sub.job, log: $0) } ?? []
        let points = m.points.map { e -> SlurmPointProgress in
            let s: SlurmPointProgress.State = switch e.state {
            case .queued: .pending
            case .running: .running
            case .finished: .finished
            case .failed: .failed
            }
            return SlurmPointProgress(index: e.index, state: s, lastLogLine: e.lastLine)
        }
        let tasks = SlurmQueueState.merge(points: points, chunk: sub.chunk, job: sub.job, queue: queue, completions: completions) { t in
            SlurmTaskLog.lastLine(of: SlurmTaskLog.path(studyFolder: folder.url.path, job: sub.job, task: t))
        }
        var lines = ["slurm job \(sub.job): \(sub.tasks) task\(sub.tasks == 1 ? "" : "s") of \(sub.chunk) point\(sub.chunk == 1 ? "" : "s")"]
        for t in tasks {
            lines.append("  task \(t.task) (points \(t.points.lowerBound)…\(t.points.upperBound - 1)): \(t.state.rawValue)" + (t.detail.isEmpty ? "" : " — \(t.detail)"))
        }
        return lines
    }
}
