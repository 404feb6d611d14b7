import ArgumentParser
import Attention
import Distill
import Foundation
import RetortData
import RetortUI
import RunKit
import TrainEngine
import Workbench

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its newest good checkpoint to its configured number of epochs (headless, or in the TUI with --tui).")

    @Argument(help: "The run folder (e.g. runs/20250101-120000-cnn-mnist5k-s1).") var runFolder: String
    @Option(help: "Threads (default: the run's; results equal an uninterrupted run only with the same count).") var threads: Int?
    @Option(help: "Set the base learning rate before continuing (e.g. after a divergence).") var lr: String?
    @OptionGroup var dataOptions: DataOptions
    @Flag(help: "Plain progress lines even on a terminal.") var plain = false
    @Flag(help: "Continue in the TUI.") var tui = false
    @OptionGroup var ui: TUIOptions

    func validate() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1…256, got \(threads)") }
        if plain && tui { throw ValidationError("--plain and --tui exclude each other") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: runFolder)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            fail("\(runFolder): no such run folder")
        }
        let dir = dataOptions.directory()
        let runRoot = folder.deletingLastPathComponent().path
        if tui {   // refuse a terminal the TUI cannot use before the run folder is touched
            do { try CursesBackend.checkTerminal() } catch { fail("\(error)") }
        }
        if Self.isAttentionRun(folder) {
            guard let (job, line) = open(AttentionJob.self, folder, dir) else { return }
            if tui {
                let wb: AttentionWorkbenchJob
                do { wb = try AttentionWorkbenchJob(resumed: job, runFolder: folder) } catch { fail("\(error)") }
                ui.run(dataDirectory: dir, runRoot: runRoot, dataSet: job.config.data.description, message: line, session: .attention(wb))
                return
            }
            print(line)
            let started = Date()
            attentionHeadless(job, folder: folder)
            let last = job.curves.epochs.last!
            let secs = Date().timeIntervalSince(started)
            print(String(format: "%@ seed %llu: test accuracy %.2f%% in %.0f s → %@", job.config.kind.rawValue, job.config.seed,
                         100 * last.testAccuracy, secs, folder.path))
            if let compare = AttentionSummary.folder(of: folder, config: job.config) {
                do { try AttentionSummary.record(last, config: job.config, runName: folder.lastPathComponent, seconds: secs, in: compare) }
                catch { fail("\(error)") }
                print("updated \(compare.path)/summary.csv")
            }
        } else if Self.isDistillRun(folder) {
            guard let (job, line) = open(DistillJob.self, folder, dir) else { return }
            if tui {
                ui.run(dataDirectory: dir, runRoot: runRoot, dataSet: job.config.data.description, message: line,
                       session: .distill(DistillWorkbenchJob(resumed: job, runFolder: folder)))
                return
            }
            print(line)
            print(distillHeader)
            let started = Date()
            distillHeadless(job, folder: folder, plain: plain)
            print(String(format: "done in %.1f s; metrics in %@/metrics.csv and metrics.jsonl", Date().timeIntervalSince(started), folder.path))
        } else {
            guard let (job, line) = open(TrainingJob.self, folder, dir) else { return }
            if tui {
                ui.run(dataDirectory: dir, runRoot: runRoot, dataSet: job.config.data.description, message: line,
                       session: .training { TrainingWorkbenchJob(job: job, runFolder: folder) })
                return
            }
            print(line)
            trainHeadless(job, folder: folder, plain: plain)
        }
    }

    /// Opens a run folder at its newest good checkpoint (notes on set-aside files to stderr)
    /// and applies --lr; returns the job and the "resumed …" line, or nil (after saying so)
    /// when the run has already finished.
    func open<J: ResumableJob>(_: J.Type, _ folder: URL, _ dir: String) -> (job: J, line: String)? {
        let job: J
        let notes: [String]
        do { (job, notes) = try J.resume(runFolder: folder, dataDirectory: dir, threads: threads) }
        catch { fail("\(error)") }
        for n in notes { writeStderr("retort: \(n)\n") }
        if let lr {
            do { for n in try job.setLR(lr) { writeStderr("retort: \(n)\n") } } catch { fail("\(error)") }
        }
        if job.isFinished {
            print("\(folder.path): already finished (\(job.totalEpochs) epochs, step \(job.step))")
            return nil
        }
        let from = job.lastCheckpoint.map { $0.url.lastPathComponent } ?? "?"
        return (job, "resumed \(folder.path) from \(from) at \(EpochCount.text(completed: job.epoch, total: job.totalEpochs)), step \(job.step), lr \(formatLR(job.baseLR))")
    }

    /// An attention run's config.json (`AttentionTrainConfig`) holds the attention kind and the sparse settings.
    static func isAttentionRun(_ folder: URL) -> Bool {
        let keys = configKeys(folder)
        return keys.contains("kind") && keys.contains("sparse")
    }

    /// The top-level keys of a run folder's config.json (empty when unreadable).
    static func configKeys(_ folder: URL) -> Set<String> {
        guard let d = try? Data(contentsOf: folder.appendingPathComponent("config.json")),
              let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return [] }
        return Set(o.keys)
    }

    /// A distill run's config.json holds the teacher's width factors (a training run's does not).
    static func isDistillRun(_ folder: URL) -> Bool { configKeys(folder).contains("teacherWidth") }
}
