import ArgumentParser
import Foundation
import Sweep

/// `retort sweep run FILE --task K`: one array task's points, one after the other.
struct SweepTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the points of one task (points K·C … K·C+C−1) in this process, as a Slurm array task does.")

    @Argument(help: "The study file (YAML or JSON).") var file: String
    @Option(help: "The task number K (e.g. $SLURM_ARRAY_TASK_ID).") var task: Int
    @Option(help: "Points per task C.") var chunk: Int = 1
    @Option(help: "Threads per point (SLURM_CPUS_PER_TASK wins when set).") var threads: Int = 1
    @OptionGroup var root: StudyRootOption

    func validate() throws {
        guard task >= 0 else { throw ValidationError("task: must be ≥ 0, got \(task)") }
        guard (1...100_000).contains(chunk) else { throw ValidationError("chunk: must be in 1…100000, got \(chunk)") }
        guard (1...256).contains(threads) else { throw ValidationError("threads: must be in 1…256, got \(threads)") }
    }

    /// SLURM_CPUS_PER_TASK when it is set (a bad value ends the program with one line), else --threads.
    var threadCount: Int {
        guard let s = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"] else { return threads }
        guard let n = Int(s), (1...256).contains(n) else { fail("SLURM_CPUS_PER_TASK=\(s): not a thread count (1…256)") }
        return n
    }

    func run() throws {
        let study = SweepCommands.study(file)
        let count = study.points.count
        let first = task * chunk
        guard first < count else { fail("\(file): task \(task) × chunk \(chunk) starts at point \(first); the study has \(count) points (tasks 0…\((count - 1) / chunk))") }
        let folder: StudyFolder
        do { folder = try StudyFolder.open(study, root: root.url, new: false) } catch { fail("\(error)") }
        let indices = Array(first..<min(count, first + chunk))
        SweepSignals.install()
        let t = threadCount
        print("study \(study.name): task \(task), points \(indices.map { String(format: "p%03d", $0) }.joined(separator: " ")) × \(t) thread\(t == 1 ? "" : "s")")
        fflush(nil)
        // plain progress lines (a batch job's output file), the whole study's counts
        let progress = SweepProgress(total: count, workers: 1, tty: false) { writeStderr($0) }
        let executor = LocalExecutor(study: study, folder: folder, executable: SweepCommands.executable, workers: 1, threads: t, progress: progress)
        let outcome: LocalExecutor.Outcome
        do { outcome = try executor.run(indices: indices) } catch { terminate(.failure, "\(error)") }
        sweepEnd(outcome, folder: folder, file: "run \(file) --task \(task)\(chunk == 1 ? "" : " --chunk \(chunk)")")
    }
}
