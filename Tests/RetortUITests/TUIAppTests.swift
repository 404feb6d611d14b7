import Foundation
import RetortUI
import RunKit
import TrainEngine
import Workbench
import XCTest

/// The whole UI loop driven through an in-memory terminal: scripted keys in, drawn grids
/// out (a nil key is a poll without a key, so the loop draws a frame).
final class TUIAppTests: XCTestCase {
    func tempDir(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
    func type(_ text: String) -> [Key?] { text.map { .char($0) } }

    func testTabKeysSwitchWhatIsDrawn() throws {
        let root = try tempDir("tuiapp-tabs")
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = InMemoryBackend(keys: [nil, .char("5"), nil, .tab, nil, .char("q")], width: 120, height: 36)
        let app = TUIApp(backend: backend, runner: nil, themeDirectory: nil, dataDirectory: ScreenTests.dataDir, runRoot: root.path)
        XCTAssertEqual(app.run(), 0)
        XCTAssertEqual(backend.drawn.count, 3)
        let (training, runs, back) = (backend.drawn[0], backend.drawn[1], backend.drawn[2])
        XCTAssertTrue(training.contains(TUIApp.noTrainingRun), training.text)
        XCTAssertTrue(runs.contains("Runs · 0 folders · 0 marked"), runs.text)
        XCTAssertTrue(runs.contains("No run folders here."), runs.text)
        XCTAssertFalse(runs.contains(TUIApp.noTrainingRun))
        XCTAssertTrue(back.contains(TUIApp.noTrainingRun), "Tab from the last tab wraps to Training\n" + back.text)
        XCTAssertEqual(backend.drawn.map(\.width), [120, 120, 120])
        XCTAssertEqual(app.finish(), [], "no job in this session")
    }

    func testSetOnTheCommandLineChangesTheTrainingJob() throws {
        let folder = try tempDir("tuiapp-set")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 5; c.testCount = 300; c.threads = 1
        let job = TrainingWorkbenchJob(job: try TrainingJob(config: c, dataDirectory: ScreenTests.dataDir, log: nil), runFolder: folder)
        let runner = JobRunner(job: job, startPaused: true)
        runner.start()
        // the refusal first: the paused job has no message yet that a frame could show over it
        let keys: [Key?] = [nil, .char(":")] + type("set lr -1") + [.enter, nil, .char(":")] + type("set lr 0.05") + [.enter, .char("q")]
        let backend = InMemoryBackend(keys: keys)
        let app = TUIApp(backend: backend, runner: runner, themeDirectory: nil, dataDirectory: ScreenTests.dataDir, runRoot: folder.path)
        XCTAssertEqual(app.run(), 0)
        let lines = app.finish()
        XCTAssertEqual(runner.afterDone { $0.job.hyper.lr }, 0.05, "the typed value reached the job")
        XCTAssertEqual(runner.snapshot.hyper.first { $0.name == "lr" }?.value, "0.05")
        XCTAssertTrue(runner.snapshot.messages.contains { $0.text == "lr 0.1 → 0.05" }, "\(runner.snapshot.messages.map(\.text))")
        XCTAssertTrue(backend.drawn[0].contains("Hyperparameters (live)"), backend.drawn[0].text)
        XCTAssertEqual(backend.drawn.count, 2)
        XCTAssertTrue(backend.drawn[1].contains("! lr: must be in (0, 10], got -1"), "a refused value is not sent\n" + backend.drawn[1].text)
        XCTAssertEqual(lines.first, "retort: stopped at step 0, 0/5 epochs done; run folder \(folder.path)")
    }

    func pausedTrainingRunner(_ folder: URL, log: Bool = false) throws -> JobRunner<TrainingWorkbenchJob> {
        var c = TrainConfig(); c.data = .digits; c.model = .mlp; c.epochs = 5; c.testCount = 300; c.threads = 1
        let job = try TrainingJob(config: c, dataDirectory: ScreenTests.dataDir, log: log ? try MetricsLog(folder: folder, tensorBoard: false) : nil)
        let runner = JobRunner(job: TrainingWorkbenchJob(job: job, runFolder: folder), startPaused: true)
        runner.start()
        return runner
    }

    func testEveryPressOfABurstCountsAndNoChangeIsLoggedTwice() throws {
        let folder = try tempDir("tuiapp-burst")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = try pausedTrainingRunner(folder, log: true)
        // four → on lr in one burst (no frame in between), then a value equal to the current one
        let keys: [Key?] = [nil, .right, .right, .right, .right, nil, .char(":")] + type("set momentum 0.9") + [.enter, .char("q")]
        let app = TUIApp(backend: InMemoryBackend(keys: keys), runner: runner, themeDirectory: nil, dataDirectory: ScreenTests.dataDir, runRoot: folder.path)
        XCTAssertEqual(app.run(), 0)
        _ = app.finish()
        XCTAssertEqual(runner.afterDone { $0.job.hyper.lr }, 1, "0.1 stepped four times by 10^¼")
        let rows = try String(contentsOf: folder.appendingPathComponent("hparams.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 4, rows.joined(separator: "\n"))
        for r in rows {
            let f = r.split(separator: ",")
            XCTAssertNotEqual(f[3], f[4], "a change that changes nothing is not logged: \(r)")
        }
    }

    func testRunKeysOnTheRunsTabLeaveTheTrainingRunAlone() throws {
        let folder = try tempDir("tuiapp-runs-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = try pausedTrainingRunner(folder)
        let backend = InMemoryBackend(keys: [nil, .char("5"), .char("n"), .char("s"), nil, .char("q")])
        let app = TUIApp(backend: backend, runner: runner, themeDirectory: nil, dataDirectory: ScreenTests.dataDir, runRoot: folder.path)
        XCTAssertEqual(app.run(), 0)
        _ = app.finish()
        XCTAssertEqual(runner.snapshot.step, 0, "n on the Runs tab did not step the training run")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path), "s did not save it")
        XCTAssertTrue(backend.drawn.last!.contains(Controller.runsHasNoJob), backend.drawn.last!.text)
    }
}
