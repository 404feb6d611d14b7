import ArgumentParser
import Distill
import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine
import Workbench

let reconstructionNotice = "NetDistiller reconstruction [R]: the paper's surgery rule, uncertainty measure, loss weights and defaults are unknown [U]; these are our choices, not the paper's method."

struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "NetDistiller [R]: a tiny student trained inside a weight-sharing teacher (gradient surgery, uncertainty-aware KD).",
        discussion: """
        The student is the first-k slice of a channel-widened teacher; both train jointly. Every \
        step logs cos(g_s, g_t) on the shared weights (whole vector and per tensor), conflicts, \
        teacher entropy and KD weights to <runs>/<name>/metrics.jsonl and the CSV files \
        (steps.csv, tensor_cosines.csv, metrics.csv per epoch, tensor_conflicts.csv); the \
        finished run's numbers (what `retort compare` tabulates) to summary.json. \
        Everything marked [R] is a reconstruction (see docs/distill.md).
        """)

    @OptionGroup var options: DistillOptions
    @OptionGroup var runOptions: RunOptions
    @Option(help: "Write a step row every N steps (default 1: every step).") var logEvery: Int = 1
    @Option(parsing: .singleValue, help: "Change a live setting before step N: N:name=value (repeatable), e.g. 600:surgery=asym.") var setAt: [String] = []
    @Flag(help: "Drive the run through the workbench adapter (JobRunner + DistillWorkbenchJob), as the TUI does.") var workbench = false
    @Flag(help: "Save the student slice as <run>/student.safetensors at the end.") var save = false
    @Option(help: "At the end, write the student slice to this safetensors file: a standalone MLP / tiny CNN at the student's widths (`retort eval --weights FILE`).") var export: String?
    @Flag(help: "Do not write the TensorBoard event file in the run folder.") var noTensorboard = false
    @Flag(help: "Plain progress lines even on a terminal.") var plain = false
    @OptionGroup var checkpoints: CheckpointOptions

    func validate() throws {
        guard logEvery >= 1 else { throw ValidationError("log-every: must be ≥ 1, got \(logEvery)") }
    }

    func run() throws {
        let file = options.fileConfig
        var config = options.config(base: file?.config)
        runOptions.apply(to: &config)
        do { try config.validate() } catch { fail(file?.locate("\(error)") ?? "\(error)") }
        var changes: [ScheduledSetting] = []
        for spec in setAt {
            guard let colon = spec.firstIndex(of: ":"), let step = Int(spec[..<colon]), step >= 0,
                  let eq = spec[colon...].firstIndex(of: "=") else { fail("set-at: expected STEP:name=value, got '\(spec)'") }
            let key = String(spec[spec.index(after: colon)..<eq]), value = String(spec[spec.index(after: eq)...])
            var probe = DistillSettings(config)
            do { try probe.set(key, value) } catch { fail("set-at: \(error)") }
            changes.append(ScheduledSetting(step: step, name: key, value: value))
        }
        changes.sort { $0.step < $1.step }
        let dir = options.dataDirectory(for: config.data)
        // Data that cannot be read and factor lists that do not fit the model fail here, before a run folder exists.
        let data: PreparedData
        do {
            data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dir, testCount: config.effectiveTestCount, seed: config.splitSeed)
            _ = try WeightSharingNet(config: config, data: data.signature)
        } catch { fail("\(error)") }
        let generatedName = [config.method.rawValue, config.model.rawValue, config.data.shortName, "s\(config.seed)"]
        let folder: URL, job: DistillJob
        var adapter: DistillWorkbenchJob?
        do {
            if workbench {
                // The way the TUI builds a run: option text through the adapter's factory.
                let a = try DistillWorkbenchJob.create(options: DistillOptions.pairs(of: config), dataDirectory: dir, runRoot: config.runRoot, runName: config.runName,
                                                       tensorBoard: !noTensorboard)
                var built = a.job.config
                built.runRoot = config.runRoot; built.runName = config.runName
                precondition(built == config, "workbench config differs")
                adapter = a; folder = a.runFolder; job = a.job
            } else {
                (folder, job) = try RunFolder.create(root: config.runRoot, name: config.runName, generated: generatedName, config: config) { f in
                    (f, try DistillJob(config: config, data: data, log: try MetricsLog(folder: f, tensorBoard: !noTensorboard)))
                }
            }
        } catch let e as DataError { fail(e.description) } catch let e as ConfigError { fail(e.description) }

        print(reconstructionNotice)
        print("run \(folder.path)")
        print("\(job.net.name) (the student's architecture): \(job.model.parameterCount) parameters allocated, \(job.layout.totalShared) of them the student's (shared); teacher factors \(job.net.teacher)\(job.config.randomSampling ? " (largest; sampled per step)" : ""), allocation \(job.net.allocation)")
        print("data \(job.data.summary); BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads")
        for n in job.notes { print("  · " + n) }
        print(distillHeader)
        let row = distillRow
        let started = Date()
        if workbench {
            try runThroughWorkbench(adapter!, changes: changes, row: row)
            writeDistillSummary(job, folder: folder)
        } else {
            job.logEvery = logEvery
            job.checkpointEvery = checkpoints.every
            job.checkpoints = CheckpointStore(runFolder: folder, keep: checkpoints.keep)
            job.schedule = changes
            distillHeadless(job, folder: folder, plain: plain)
            if save {
                let url = folder.appendingPathComponent("student.safetensors")
                try job.saveStudent(to: url)
                print("saved the student slice to \(url.path)")
            }
        }
        if let export {
            do { try job.saveStudent(to: URL(fileURLWithPath: export)) } catch { fail("\(error)") }
            print("exported the student slice (\(job.net.name)) to \(export)")
        }
        let s = job.summary
        print(String(format: "done in %.1f s: student test %.2f%%, teacher test %@; conflicting steps %@ (whole), %@ (≥1 tensor); cos %@ → %@",
                     Date().timeIntervalSince(started), 100 * s.studentTestAccuracy,
                     s.teacherTestAccuracy.isFinite ? String(format: "%.2f%%", 100 * s.teacherTestAccuracy) : "–",
                     s.conflictFraction.isFinite ? String(format: "%.1f%%", 100 * s.conflictFraction) : "–",
                     s.anyTensorConflictFraction.isFinite ? String(format: "%.1f%%", 100 * s.anyTensorConflictFraction) : "–",
                     s.cosineFirst10.isFinite ? String(format: "%+.3f", s.cosineFirst10) : "–",
                     s.cosineLast10.isFinite ? String(format: "%+.3f", s.cosineLast10) : "–"))
        print(job.collapse.verdict)
        if let k = s.keptEpoch {
            print(String(format: "kept student (keep-student held-out): epoch %d of %d, held-out accuracy %.2f%% on %d rows neither network trains on; test %.2f%% (last epoch %.2f%%, best %.2f%%)",
                         k, job.epoch, 100 * (s.keptHeldOutAccuracy ?? .nan), job.calibrationRows.count, 100 * s.studentTestAccuracy,
                         100 * (s.lastStudentTestAccuracy ?? .nan), 100 * (s.bestStudentTestAccuracy ?? .nan)))
        }
        print("metrics in \(folder.path)/ (metrics.csv per epoch, steps.csv, tensor_cosines.csv, tensor_conflicts.csv, metrics.jsonl)")
    }

    /// Runs the job on the workbench thread, stepping exactly to each `--set-at` step and
    /// sending the change as the TUI would; prints one line per epoch from the snapshots.
    func runThroughWorkbench(_ adapter: DistillWorkbenchJob, changes: [ScheduledSetting],
                             row: (DistillEpochRow) -> String) throws {
        let job = adapter.job
        let runner = JobRunner(job: adapter, startPaused: true, publishInterval: 0.01)
        runner.start()
        func wait(_ cond: (DistillSnapshot) -> Bool) -> DistillSnapshot {
            while true { let s = runner.snapshot; if cond(s) { return s }; usleep(1000) }
        }
        var printedEpochs = 0
        func printEpochs(_ s: DistillSnapshot) {
            while printedEpochs < s.epochRows.count { print(row(s.epochRows[printedEpochs])); printedEpochs += 1 }
        }
        for c in changes where c.step < job.config.epochs * job.stepsPerEpoch {
            let now = runner.snapshot.step
            if c.step > now {
                runner.send(.step(c.step - now))
                let s = wait { $0.step >= c.step && $0.state == .paused }
                printEpochs(s)
            }
            runner.send(.set(name: c.name, value: c.value))
            let s = wait { $0.changes.count > 0 && $0.changes.last!.step == runner.snapshot.step && $0.changes.last!.name == c.name }
            print("  step \(s.step): \(s.messages.last?.text ?? "")")
        }
        runner.send(.resume)
        var last = -1
        while true {
            let s = runner.snapshot
            printEpochs(s)
            if s.diverged != nil && s.state == .paused {
                runner.send(.stop); runner.waitUntilDone()   // the job is ours again
                if let d = job.divergence { exitDiverged(d, lastCheckpoint: job.lastCheckpoint, folder: adapter.runFolder) }
            }
            if s.state == .finished || s.state == .failed { break }
            if s.step != last { last = s.step }
            usleep(20_000)
        }
        if save {
            runner.send(.save)
            let s = wait { $0.messages.contains { $0.text.hasPrefix("saved") } }
            print("  " + (s.messages.last { $0.text.hasPrefix("saved") }?.text ?? ""))
        }
        let s = runner.snapshot
        printEpochs(s)
        print(String(format: "workbench snapshot: state %@, step %d, whole-vector cos series %d points (last %+.3f, after surgery %+.3f), %d per-tensor cosines in the histogram source, %d entropies, mean KD weight %.3f",
                     s.state.rawValue, s.step, s.cosine.total, s.cosine.last, s.cosineAfter.last, s.recentTensorCosines.count, s.recentEntropies.count, s.meanKDWeight))
        if let worst = s.conflictTable.max(by: { $0.conflictPercent < $1.conflictPercent }) {
            print(String(format: "  most conflicting tensor: %@ (%.1f%% of steps, mean cos %+.3f)", worst.name, worst.conflictPercent, worst.meanCosine))
        }
        runner.send(.stop); runner.waitUntilDone()
        if s.state == .failed { fail(s.messages.last?.text ?? "the run failed") }
    }
}

let distillHeader = columns([("epoch", 5), ("step", 6), ("s_train", 8), ("s_test", 8), ("t_train", 8), ("t_test", 8), ("cos", 7), ("cos'", 7),
                             ("confl%", 7), ("≥1tens%", 7), ("entropy", 7), ("kd_w", 6), ("secs", 6)])

func distillRow(_ s: DistillEpochRow) -> String {
    func p(_ v: Float) -> String { v.isFinite ? String(format: "%7.2f%%", 100 * v) : "      –" }
    func d(_ v: Double, _ f: String = "%+7.3f") -> String { v.isFinite ? String(format: f, v) : "      –" }
    return String(format: "%5d %6d ", s.epoch, s.step) + [p(s.studentTrainAccuracy), p(s.studentTestAccuracy), p(s.teacherTrainAccuracy), p(s.teacherTestAccuracy)].joined(separator: " ")
        + " " + [d(s.meanCosine), d(s.meanCosineAfter), d(100 * s.conflictFraction, "%7.1f"), d(100 * s.anyTensorConflictFraction, "%7.1f"),
                 d(s.meanEntropy, "%7.3f"), d(s.meanKDWeight, "%6.3f"), String(format: "%6.1f", s.seconds)].joined(separator: " ")
}

/// Runs a distillation job to its last epoch with progress output (`retort distill` and
/// `retort resume` of a distill run), applying the job's scheduled changes at their steps
/// (a resumed run's come from its checkpoint). A checkpoint that
/// cannot be written is reported on one line and training goes on; a divergence stops the
/// run with exit status 3 and says how to go on.
func distillHeadless(_ job: DistillJob, folder: URL, plain: Bool) {
    let tty = isatty(STDOUT_FILENO) == 1 && !plain
    while !job.isFinished {
        do {
            for (c, from, to) in try job.applyDueSettings() { print("  step \(job.step): \(c.name) \(from) → \(to)") }
        } catch { fail("set-at: \(error)") }
        let r = job.step()
        reportStep(checkpoints: r.checkpoints, logFailure: nil, divergence: r.divergence, tty: tty,
                   lastCheckpoint: job.lastCheckpoint, folder: folder)
        if tty && r.epochSummary == nil {
            let done = (r.step - 1) % job.stepsPerEpoch + 1
            print(String(format: "\r  epoch %d/%d  step %d/%d  loss %.4f  cos %+.3f", r.epoch + 1, job.config.epochs, done, job.stepsPerEpoch,
                         r.studentLoss, r.surgery?.before.cosine ?? .nan), terminator: "")
            fflush(nil)
        }
        if let s = r.epochSummary {
            if tty { print("\r\u{1B}[2K", terminator: "") }
            print(distillRow(DistillEpochRow(s)))
            fflush(nil)
        }
    }
    writeDistillSummary(job, folder: folder)
}

/// The finished run's summary.json (what `retort compare` reads from each of its runs); a
/// failure to write it is one line on stderr and the run still counts as done.
func writeDistillSummary(_ job: DistillJob, folder: URL) {
    do { try job.summary.write(toRunFolder: folder) } catch {
        writeStderr("retort: warning: cannot write \(folder.path)/\(DistillRunSummary.fileName): \(error)\n")
    }
}
