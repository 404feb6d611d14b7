import Attention
import Foundation
import RetortCore
import RunKit
import Sweep

/// `retort attention train` with more than one kind or seed: a front end over the sweep
/// engine. The session folder (`<time>-vit-compare-<data>`) is the study folder; the study
/// has the axis `kinds` × the seeds, and every point is a `retort attention train --kinds K
/// --seeds S --config <session>/config.json` child (the session's config: every option the
/// same for every run) making its run folder in `runs/pNNN/`. The first failure stops the
/// queue (a divergence: its line and exit status).
extension AttentionTrain {
    struct StudyResults {
        var results: [AttentionKind: [UInt64: Double]] = [:]
        var keptSparse: [UInt64: Double] = [:]
        /// Each kind's first-seed diagnostics, as its child printed them (with --diagnostics).
        var diagnostics: [AttentionKind: String] = [:]
    }

    /// The flags every child gets besides its kind, seed, run root and threads.
    func childFlags(_ session: URL) -> [String] {
        var a = ["--config", session.appendingPathComponent("config.json").path]
        if noTensorboard { a.append("--no-tensorboard") }
        if let e = checkpoints.checkpointEvery { a += ["--checkpoint-every", String(e)] }
        if let k = checkpoints.keepCheckpoints { a += ["--keep-checkpoints", String(k)] }
        if let initWeights { a += ["--init", URL(fileURLWithPath: initWeights).standardizedFileURL.path] }
        if let exportDir { a += ["--export-dir", URL(fileURLWithPath: exportDir).standardizedFileURL.path] }
        if diagnostics { a += ["--diagnostics", "--diagnostic-images", String(diagnosticImages)] }
        return a
    }

    func runStudy(_ session: URL, kinds: [AttentionKind], seeds: [UInt64], threads: Int, dataDirectory: String?) -> StudyResults {
        let command = Sweep.SweepCommand(name: "attention train", keys: ["kinds"], options: .flags(booleans: []), layout: .rootPerPoint,
                                         seedFlag: "--seeds", threads: true, extra: childFlags(session), resumable: true)
        let text = "name: attention\ncommand: attention train\naxes:\n  kinds: [\(kinds.map(\.rawValue).joined(separator: ", "))]\nseeds: [\(seeds.map(String.init).joined(separator: ", "))]\n"
        let study: Study, folder: StudyFolder
        do {
            study = try StudyParser.parse(bytes: Array(text.utf8), path: session.appendingPathComponent("study.yaml").path, commands: [command])
            folder = try StudyFolder.create(study, at: session)
        } catch { fail("\(error)") }
        SweepSignals.install()
        let executor = LocalExecutor(study: study, folder: folder, executable: SweepCommands.executable, workers: 1, threads: threads, progress: nil)
        executor.stopAfterFailure = true
        if let dataDirectory {
            var env = ProcessInfo.processInfo.environment
            env["RETORT_DATA"] = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
            executor.environment = env
        }
        var out = StudyResults()
        var failed: Manifest.Entry?
        executor.onEnd = { e in
            guard e.state != .queued else { return }
            guard e.state == .finished, let k = e.axisPairs.first?.1, let kind = AttentionKind(rawValue: k),
                  let run = folder.runFolder(e, layout: .rootPerPoint),
                  let text = try? String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8) else { failed = failed ?? e; return }
            let m = Dictionary(PointMetrics.finalEpoch(text), uniquingKeysWith: { a, _ in a })
            guard let acc = m["test_accuracy"] else { failed = failed ?? e; return }
            out.results[kind, default: [:]][e.seed] = acc
            if let a = m["test_accuracy_with_sparse"] { out.keptSparse[e.seed] = a }
            let secs = e.seconds ?? 0
            let row = [kind.rawValue, String(e.seed), "\(Float(acc))", m["test_accuracy_with_sparse"].map { "\(Float($0))" } ?? "",
                       m["test_loss"].map { "\(Float($0))" } ?? "", m["train_loss"].map { "\(Float($0))" } ?? "", String(format: "%.1f", secs), run.lastPathComponent]
            do { try AttentionSummary.record(row: row, in: session) } catch { fail("\(error)") }
            print(String(format: "%@ seed %llu: test accuracy %.2f%% in %.0f s → %@", kind.rawValue, e.seed, 100 * acc, secs, run.path))
            fflush(nil)
            if diagnostics, e.seed == seeds[0] { out.diagnostics[kind] = Self.diagnosticsBlock(folder.logURL(e.id)) }
        }
        let outcome: LocalExecutor.Outcome
        do { outcome = try executor.run() } catch { fail("\(error)") }
        if outcome.interrupted {
            let sig = SweepSignals.signal == 0 ? SIGINT : SweepSignals.signal
            terminate(.signal(sig), "stopped; the finished runs' rows are in \(session.path)/summary.csv, every run's folder in \(session.path)/runs/ (`retort resume RUN` continues one)")
        }
        if let e = failed {
            // the child's own last line (a divergence names the run, its checkpoint and the way on) and its status
            let line = SweepCommands.lastLine(ofLog: folder.logURL(e.id)) ?? e.lastLine ?? "\(e.condition) seed \(e.seed) failed"
            writeStderr((line.hasPrefix("retort: ") ? line : "retort: \(e.condition) seed \(e.seed): \(line)") + "\n")
            Foundation.exit(Int32(e.exitCode.map { $0 > 0 && $0 < 128 ? $0 : 1 } ?? 1))
        }
        return out
    }

    /// The diagnostics a child printed: from the line after "diagnostics on" to the last line before "all runs in".
    static func diagnosticsBlock(_ log: URL) -> String? {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("diagnostics on ") }) else { return nil }
        let end = lines[start...].firstIndex { $0.hasPrefix("all runs in ") } ?? lines.endIndex
        return lines[(start + 1)..<end].joined(separator: "\n").trimmingCharacters(in: .newlines)
    }
}
