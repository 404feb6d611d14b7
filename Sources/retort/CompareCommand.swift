import ArgumentParser
import Distill
import Foundation
import RetortCore
import RetortData
import RunKit
import Sweep
import TrainEngine

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run NetDistiller conditions × paired seeds and print student accuracy, paired differences, teacher accuracy, conflicts and wall time.",
        discussion: """
        Every condition runs with the same seeds, data split and initial weights, so differences \
        are paired by seed. Conditions are method presets (base, netaug, netaug-random, kd, ukd, \
        surgery, full), optionally with overrides: METHOD:key=value:key=value, e.g. \
        full:granularity=per-tensor. The options of `retort distill` apply to every condition. \
        Runs go two at a time (one thread each) by default on a 2-core machine; each run is \
        a `retort distill` child process, deterministic for its seed and thread count. The \
        comparison's folder is a study folder (as `retort sweep` makes): study.yaml, \
        manifest.json, runs/pNNN/ (each run's folder), logs/, plus table.md and runs.csv. \
        [R]: NetDistiller is a reconstruction.
        """)

    @OptionGroup var options: DistillOptions
    @Option(help: "Comma-separated conditions (the first is the baseline unless --baseline).") var conditions: String = "base,netaug,netaug-random,kd,full"
    @Option(help: "Seeds: a count N (seeds 1…N) or a comma-separated list.") var seeds: String = "5"
    @Option(help: "The condition(s) the paired differences are taken against, comma-separated (default: the first condition); extra ones get their own difference table.") var baseline: String?
    @Option(help: "Runs at a time (default: min(2, cores)); each run uses --threads threads (default 1 here).") var parallel: Int?
    @Option(help: "Threads per run for BLAS and Retort's loops (default: the --config file's threads, else 1).") var threads: Int?
    @Option(help: "Folder for the comparison's results (table.md, runs.csv).") var runs: String = "runs"
    @Option(help: "Comparison folder name (default: timestamp-compare-model-data).") var name: String?
    @Flag(help: "Accepted for old scripts; every run's folder is kept anyway (<comparison>/runs/pNNN/, see manifest.json).") var keepRuns = false

    func validate() throws {
        if options.method != nil { throw ValidationError("method: compare sets the method per condition; list them with --conditions (e.g. base,kd,full)") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("threads: must be in 1…256, got \(threads)") }
    }

    func run() throws {
        let file = options.fileConfig
        var base = file?.config ?? DistillConfig()
        base.threads = threads ?? (file?.sets("threads") == true ? base.threads : 1)
        base = options.config(base: base)
        do { try base.validate() } catch { fail(file?.locate("\(error)") ?? "\(error)") }
        let seedList: [UInt64]
        if let n = Int(seeds), !seeds.contains(",") {
            guard n >= 1 && n <= 1000 else { fail("seeds: must be a count in 1…1000 or a list, got \(seeds)") }
            seedList = (1...n).map(UInt64.init)
        } else {
            let parts = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { fail("seeds: must be a count or comma-separated whole numbers, got '\(seeds)'") }
            seedList = parts.map { $0! }
            guard Set(seedList).count == seedList.count else { fail("seeds: repeated seed in '\(seeds)'") }
        }
        let specs = conditions.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !specs.isEmpty else { fail("conditions: give at least one condition") }
        guard Set(specs).count == specs.count else { fail("conditions: a condition is listed twice in '\(conditions)'") }
        let conds: [CompareCondition]
        do { conds = try specs.map { try CompareCondition.parse($0, base: base) } } catch { fail("\(error)") }
        var baseIndices: [Int] = []
        for b in (baseline ?? specs[0]).split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            guard let i = specs.firstIndex(of: b) else { fail("baseline: '\(b)' is not one of the conditions (\(specs.joined(separator: ", ")))") }
            baseIndices.append(i)
        }
        guard let baseIndex = baseIndices.first else { fail("baseline: give a condition") }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let par = parallel ?? max(1, min(2, cores / max(1, base.threads)))
        guard par >= 1 && par <= 64 else { fail("parallel: must be in 1…64, got \(par)") }
        if par * base.threads > cores {
            writeStderr("retort: warning: \(par) runs × \(base.threads) threads exceed the \(cores) cores; wall times will be inflated\n")
        }

        let dir = options.dataDirectory(for: base.data)
        let data: PreparedData
        do { data = try PreparedData.load(base.data, settings: base.dataOptions, directory: dir, testCount: base.effectiveTestCount, seed: base.splitSeed) }
        catch let e as DataError { fail(e.description) } catch let e as ConfigError { fail(e.description) }
        let folder: URL
        do { folder = try RunFolder.create(root: runs, name: name, generated: ["compare", base.model.rawValue, base.data.shortName], config: base) }
        catch { fail("\(error)") }

        print(reconstructionNotice)
        let cmd = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        print("command: \(cmd)")
        print("\(conds.count) conditions × \(seedList.count) paired seeds = \(conds.count * seedList.count) runs, \(par) at a time × \(base.threads) thread(s); data \(data.summary) (split seed \(base.splitSeed))")
        let probe = try? WeightSharingNet(config: conds[0].config, data: data.signature)
        if let p = probe { print("model \(p.name): student \(p.student), teacher \(p.teacher); \(p.layout.totalShared) shared of \(p.layout.totalElements) elements") }
        let started = Date()
        let total = conds.count * seedList.count
        let runsCSV = folder.appendingPathComponent("runs.csv")
        // compare's folder is the study folder: study.yaml, manifest.json, points/, logs/ and
        // runs/pNNN/ (one `retort distill` run folder per condition × seed)
        let study: Study
        let studyFolder: StudyFolder
        do {
            study = try StudyParser.parse(bytes: Array(try Self.studyText(conds, seeds: seedList).utf8), path: folder.appendingPathComponent("study.yaml").path,
                                          commands: SweepCommands.all)
            studyFolder = try StudyFolder.create(study, at: folder)
        } catch { fail("\(error)") }
        SweepSignals.install()
        let executor = LocalExecutor(study: study, folder: studyFolder, executable: SweepCommands.executable, workers: par, threads: base.threads, progress: nil)
        if base.data.sample != nil {
            // the children read the same sample-data folder
            var env = ProcessInfo.processInfo.environment
            env["RETORT_DATA"] = URL(fileURLWithPath: dir).standardizedFileURL.path
            executor.environment = env
        }
        let state = CompareProgress()
        executor.onEnd = { e in
            guard e.state != .queued else { return }
            guard e.state == .finished, let label = e.label, let ci = specs.firstIndex(of: label),
                  let s = DistillRunSummary.read(runFolder: folder.appendingPathComponent(e.run)) else {
                state.failures.append(e); return
            }
            // the run's row is on disk before the line that reports it
            state.results.append(CompareRun(condition: ci, label: label, seed: e.seed, summary: s))
            let k = state.results.count
            do { try AtomicFile.write(Self.csv(state.results), to: runsCSV) } catch { fail("cannot write \(runsCSV.path): \(error)") }
            print(String(format: "  [%3d/%d] %@ seed %llu: student %.2f%%, teacher %@, conflicts %@, %.1f s", k, total, label, e.seed,
                         100 * s.studentTestAccuracy, s.teacherTestAccuracy.isFinite ? String(format: "%.2f%%", 100 * s.teacherTestAccuracy) : "–",
                         s.conflictFraction.isFinite ? String(format: "%.1f%%", 100 * s.conflictFraction) : "–", s.seconds))
            fflush(nil)
        }
        let outcome: LocalExecutor.Outcome
        do { outcome = try executor.run() } catch { fail("\(error)") }
        if outcome.interrupted {
            let sig = SweepSignals.signal == 0 ? SIGINT : SweepSignals.signal
            let name = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][sig] ?? "signal \(sig)"
            let k = state.results.count
            writeStderr("retort: stopped by \(name) (exit \(128 + sig)); files written so far are whole — every finished run's folder is in \(folder.path)/runs/\n")
            writeStderr(k == 0 ? "retort: no run had finished; \(folder.path) holds no results\n"
                               : "retort: \(k) of \(total) runs had finished; their rows are in \(runsCSV.path) (table.md is written when every run has finished)\n")
            Foundation.exit(128 + sig)
        }
        if let e = state.failures.first {
            var how = e.state == .failed ? (SweepCommands.lastLine(ofLog: studyFolder.logURL(e.id)) ?? e.lastLine ?? "no output") : "finished without \(DistillRunSummary.fileName)"
            if how.hasPrefix("retort: ") { how.removeFirst("retort: ".count) }
            fail("\(e.label ?? e.condition), seed \(e.seed): \(how); log \(studyFolder.logURL(e.id).path)\(state.failures.count > 1 ? " (\(state.failures.count) runs failed)" : "")")
        }
        let results = state.results
        let rows = Compare.table(results, conditions: conds, baseline: baseIndex)
        let table = Compare.markdown(rows, baselineLabel: conds[baseIndex].label)
        var extra = ""
        for b in baseIndices.dropFirst() {
            extra += "\n" + Compare.differences(Compare.table(results, conditions: conds, baseline: b), baselineLabel: conds[b].label)
        }
        let wall = Date().timeIntervalSince(started)
        var md = "# retort compare\n\n\(reconstructionNotice)\n\n```\n\(cmd)\n```\n\n"
        md += "\(conds.count) conditions × \(seedList.count) paired seeds (\(seedList.map(String.init).joined(separator: ","))), data \(data.name) \(data.train.count)/\(data.test.count), total wall time \(String(format: "%.1f", wall)) s\n\n" + table + extra
        // Files first, then the report: an interrupt after a line never leaves it without its files.
        do {
            try AtomicFile.write(Self.csv(results), to: runsCSV)
            try AtomicFile.write(md, to: folder.appendingPathComponent("table.md"))
        } catch { fail("cannot write the results to \(folder.path): \(error)") }
        print("")
        print(table + extra)
        print(String(format: "student/teacher: test accuracy after the last epoch (no selection on the test set); Δ: paired by seed, mean ± std over seeds; wins: seeds where the condition beat the baseline; total wall time %.1f s", wall))
        print("results in \(folder.path)/table.md and runs.csv")
    }

    /// The comparison as a study: command distill, the options every condition shares as
    /// fixed options, one labelled condition per --conditions entry (its method and the options
    /// where the conditions differ), the paired seeds. A point's config file starts from its
    /// method's preset (as `--config` does), so only options that differ from that preset are
    /// written; each condition's config read back must equal the condition's (else one line).
    static func studyText(_ conds: [CompareCondition], seeds: [UInt64]) throws -> String {
        let reserved: Set<String> = ["seed", "threads"]
        let pairs = conds.map { c -> [(String, String)] in
            let preset = Dictionary(DistillOptions.pairs(of: DistillConfig.preset(c.config.method)), uniquingKeysWith: { a, _ in a })
            return DistillOptions.pairs(of: c.config).filter { !reserved.contains($0.0) && ($0.0 == "method" || preset[$0.0] != $0.1) }
        }
        var keys: [String] = []
        for p in pairs { for (k, _) in p where !keys.contains(k) { keys.append(k) } }
        func value(_ i: Int, _ k: String) -> String? { pairs[i].first { $0.0 == k }?.1 }
        let fixed = keys.filter { k in k != "method" && pairs.indices.allSatisfy { value($0, k) != nil && value($0, k) == value(0, k) } }
        var text = "name: compare\ncommand: distill\n"
        if !fixed.isEmpty { text += "options:\n" }
        for k in fixed { text += "  \(k): \(PointConfig.quoted(value(0, k)!))\n" }
        text += "conditions:\n"
        for (i, c) in conds.enumerated() {
            text += "  - label: \(PointConfig.quoted(c.label))\n"
            var point: [(String, String)] = fixed.map { ($0, value(0, $0)!) }
            for k in keys where !fixed.contains(k) {
                if let v = value(i, k) { text += "    \(k): \(PointConfig.quoted(v))\n"; point.append((k, v)) }
            }
            // the config a child reads must be the condition's
            var read = try ConfigFile.parse(DistillConfig.self, bytes: Array(PointConfig.yaml(point).utf8), path: "<\(c.label)>").config
            read.seed = c.config.seed; read.threads = c.config.threads; read.runRoot = c.config.runRoot; read.runName = c.config.runName
            guard read == c.config else {
                throw ConfigError("conditions: \(c.label): its settings cannot be passed to a `retort distill` child (a setting outside the distill options differs); run it with `retort distill`")
            }
        }
        text += "seeds: [\(seeds.map(String.init).joined(separator: ", "))]\n"
        return text
    }

    /// runs.csv: one row per finished run, by condition then seed.
    static func csv(_ results: [CompareRun]) -> String {
        var csv = "condition,seed,student_test_acc,student_train_acc,teacher_test_acc,teacher_train_acc,conflict_fraction,any_tensor_conflict_fraction,mean_cos,cos_first10,cos_last10,mean_entropy,mean_kd_weight,steps,seconds,kept_epoch,last_student_test_acc,best_student_test_acc\n"
        for r in results.sorted(by: { ($0.condition, $0.seed) < ($1.condition, $1.seed) }) {
            let s = r.summary
            csv += "\"\(r.label)\",\(r.seed)," + [s.studentTestAccuracy, s.studentTrainAccuracy, s.teacherTestAccuracy, s.teacherTrainAccuracy,
                                                  s.conflictFraction, s.anyTensorConflictFraction, s.meanCosine, s.cosineFirst10, s.cosineLast10,
                                                  s.meanEntropy, s.meanKDWeight].map { $0.isFinite ? String(format: "%.6g", $0) : "" }.joined(separator: ",")
                + ",\(s.steps),\(String(format: "%.2f", s.seconds)),\(s.keptEpoch.map(String.init) ?? "last"),"
                + [s.lastStudentTestAccuracy ?? .nan, s.bestStudentTestAccuracy ?? .nan].map { $0.isFinite ? String(format: "%.6g", $0) : "" }.joined(separator: ",") + "\n"
        }
        return csv
    }
}

/// What the executor's callback gathers while the runs go (read once it has returned).
final class CompareProgress {
    var results: [CompareRun] = []
    var failures: [Manifest.Entry] = []
}
