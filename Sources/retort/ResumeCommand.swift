import ArgumentParser
import Attention
import Distill
import Foundation
import RetortData
import TrainEngine
import Workbench

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its newest good checkpoint to its configured number of epochs (headless, or in the TUI with --tui).")

    @Argument(help: "The run folder (e.g. runs/20250101-120000-cnn-mnist5k-s1).") var runFolder: String
    @Option(help: "Threads (default: the run's; results equal an uninterrupted run only with the same count).") var threads: Int?
    @Option(help: "Set the base learning rate before continuing (e.g. after a divergence).") var lr: String?
    @Option(help: "Folder holding the sample data sets (default: auto-detected sample-data/).") var dataDir: String?
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
        guard let dir = DataLocator.find(explicit: dataDir) else {
            fail("data folder not found: pass --data-dir DIR (a folder with mnist_5k.csv.gz / digits_8x8.csv.gz) or set RETORT_DATA")
        }
        if Self.isAttentionRun(folder) {
            if tui { fail("--tui: attention runs resume headless only") }
            resumeAttention(folder: folder, dataDirectory: dir)
            return
        }
        if Self.isDistillRun(folder) {
            if tui { fail("--tui: distill runs resume headless only") }
            resumeDistill(folder: folder, dataDirectory: dir)
            return
        }
        let job: TrainingJob
        let notes: [String]
        do { (job, notes) = try TrainingJob.resume(runFolder: folder, dataDirectory: dir, threads: threads) }
        catch { fail("\(error)") }
        for n in notes { FileHandle.standardError.write(Data("retort: \(n)\n".utf8)) }
        if let lr {
            do { try job.set("lr", to: lr) } catch { fail("\(error)") }
        }
        let from = job.lastCheckpoint.map { $0.url.lastPathComponent } ?? "?"
        let line = "resumed \(folder.path) from \(from) at epoch \(job.epoch + 1)/\(job.config.epochs), step \(job.step), lr \(formatLR(job.hyper.lr))"
        if job.isFinished {
            print("\(folder.path): already finished (\(job.config.epochs) epochs, step \(job.step))")
            return
        }
        if tui {
            ui.run(dataDirectory: dir, runRoot: folder.deletingLastPathComponent().path, dataSet: job.config.data.rawValue, message: line) {
                TrainingWorkbenchJob(job: job, runFolder: folder)
            }
        } else {
            print(line)
            trainHeadless(job, folder: folder, plain: plain)
        }
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

    func resumeAttention(folder: URL, dataDirectory dir: String) {
        let job: AttentionJob
        let notes: [String]
        do { (job, notes) = try AttentionJob.resume(runFolder: folder, dataDirectory: dir, threads: threads) }
        catch { fail("\(error)") }
        for n in notes { FileHandle.standardError.write(Data("retort: \(n)\n".utf8)) }
        if let lr {
            do { try job.set("lr", to: lr) } catch { fail("\(error)") }
        }
        if job.isFinished {
            print("\(folder.path): already finished (\(job.config.epochs) epochs, step \(job.step))")
            return
        }
        let from = job.lastCheckpoint.map { $0.url.lastPathComponent } ?? "?"
        print("resumed \(folder.path) from \(from) at epoch \(job.epoch + 1)/\(job.config.epochs), step \(job.step), lr \(formatLR(job.hyper.lr))")
        let started = Date()
        attentionHeadless(job, folder: folder)
        let last = job.curves.epochs.last!
        print(String(format: "%@ seed %llu: test accuracy %.2f%% in %.0f s → %@", job.config.kind.rawValue, job.config.seed,
                     100 * last.testAccuracy, Date().timeIntervalSince(started), folder.path))
    }

    /// A distill run's config.json holds the teacher's width factors (a training run's does not).
    static func isDistillRun(_ folder: URL) -> Bool { configKeys(folder).contains("teacherWidth") }

    func resumeDistill(folder: URL, dataDirectory dir: String) {
        let job: DistillJob
        let notes: [String]
        do { (job, notes) = try DistillJob.resume(runFolder: folder, dataDirectory: dir, threads: threads) }
        catch { fail("\(error)") }
        for n in notes { FileHandle.standardError.write(Data("retort: \(n)\n".utf8)) }
        if let lr {
            do {
                for c in try job.replaceLR(lr) {
                    FileHandle.standardError.write(Data("retort: --lr \(lr) replaces the scheduled change --set-at \(c.step):lr=\(c.value)\n".utf8))
                }
            } catch { fail("\(error)") }
        }
        if job.isFinished {
            print("\(folder.path): already finished (\(job.config.epochs) epochs, step \(job.step))")
            return
        }
        let from = job.lastCheckpoint.map { $0.url.lastPathComponent } ?? "?"
        print("resumed \(folder.path) from \(from) at epoch \(job.epoch + 1)/\(job.config.epochs), step \(job.step), lr \(formatLR(job.settings.lr))")
        print(distillHeader)
        let started = Date()
        distillHeadless(job, folder: folder, plain: plain)
        print(String(format: "done in %.1f s; metrics in %@/metrics.csv and metrics.jsonl", Date().timeIntervalSince(started), folder.path))
    }
}
