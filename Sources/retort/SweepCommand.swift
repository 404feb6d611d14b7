import ArgumentParser
import Foundation
import Sweep

/// `retort sweep`: studies over a command's options, seeds paired across conditions.
struct SweepGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a study (a command over axes of options × seeds) locally, one task of it, its status, or its tables.",
        discussion: """
        A study file (YAML or JSON) names a command (train, distill, attention train, sim vitality, sim scalesim), \
        fixed options, explicit conditions (a list of option maps with optional labels; × the axes when both are \
        given), axes (lists, {from, to, step} ranges or {from, to, count, log: true} log-ranges), sampling (grid or \
        {random: N, seed: S}), seeds and an optional baseline ({axis: value} or {condition: LABEL}). `retort sweep FILE` runs every point in \
        studies/<name>/ and resumes unfinished points when run again.
        """,
        subcommands: [SweepLocal.self, SweepTask.self, SweepStatus.self, SweepCollect.self],
        defaultSubcommand: SweepLocal.self)
}

/// Where studies live: `--root DIR`.
struct StudyRootOption: ParsableArguments {
    @Option(help: "Folder holding study folders.") var root: String = "studies"
    var url: URL { URL(fileURLWithPath: root) }
}

/// `retort sweep FILE`: every point, N worker processes at a time.
struct SweepLocal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run a study's points locally (the default: `retort sweep FILE`); run again to resume.")

    @Argument(help: "The study file (YAML or JSON).") var file: String
    @Option(help: "Worker processes (default: cores / threads).") var workers: Int?
    @Option(help: "Threads per worker (workers × threads ≤ cores).") var threads: Int = 1
    @Flag(help: "The study's points changed: start a new study folder <name>-2 (… -3) instead of refusing.") var new = false
    @OptionGroup var root: StudyRootOption
    @OptionGroup(title: "Slurm") var slurm: SlurmSubmitOptions

    var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("threads: must be in 1…256, got \(threads)") }
        if let workers {
            guard workers >= 1 else { throw ValidationError("workers: must be ≥ 1, got \(workers)") }
            guard workers * threads <= cores else {
                throw ValidationError("workers × threads must be at most the \(cores) cores, got \(workers) × \(threads)")
            }
        } else if threads > cores {
            throw ValidationError("threads: must be at most the \(cores) cores, got \(threads)")
        }
    }

    func run() throws {
        let study = SweepCommands.study(file)
        let folder: StudyFolder
        do { folder = try StudyFolder.open(study, root: root.url, new: new) } catch { fail("\(error)") }
        if slurm.slurm || slurm.dryRun { return SweepSlurm.submit(study, folder: folder, file: file, options: slurm) }
        let n = workers ?? max(1, cores / threads)
        SweepSignals.install()
        let points = study.points.count
        print("study \(study.name): \(points) point\(points == 1 ? "" : "s") (\(study.command.name)) in \(folder.url.path); \(n) worker\(n == 1 ? "" : "s") × \(threads) thread\(threads == 1 ? "" : "s")")
        fflush(nil)
        let progress = SweepProgress(total: points, workers: n, tty: isatty(STDERR_FILENO) == 1) { writeStderr($0) }
        let executor = LocalExecutor(study: study, folder: folder, executable: SweepCommands.executable, workers: n, threads: threads, progress: progress)
        let outcome: LocalExecutor.Outcome
        do { outcome = try executor.run() } catch { terminate(.failure, "\(error)") }
        sweepEnd(outcome, folder: folder, file: file)
    }
}

/// The end of a sweep or task: a summary line; exit 130 when stopped by a signal, 1 when a point failed.
func sweepEnd(_ o: LocalExecutor.Outcome, folder: StudyFolder, file: String) {
    if o.interrupted {
        terminate(.signal(2), "sweep stopped; running points are queued again — `retort sweep \(file)` goes on (\(folder.url.path)/manifest.json)")
    }
    print("sweep: \(o.finished) point\(o.finished == 1 ? "" : "s") run, \(o.skipped) already finished, \(o.failed) failed; manifest \(folder.url.path)/manifest.json")
    if o.failed > 0 {
        terminate(.failure, "\(o.failed) point\(o.failed == 1 ? "" : "s") failed (logs in \(folder.url.path)/logs/); `retort sweep \(file)` retries them, resuming from their checkpoints")
    }
}
