import Attention
import Distill
import Foundation
import RetortCore
import RetortData
import RetortTestSupport
import RunKit
import TrainEngine
import Workbench
import XCTest

/// Every tab's save writes the one export: the file loads through `SavedModel` (what
/// `retort eval` reads) and the rebuilt model gives the job's own logits.
final class SavedModelTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path
    var root: URL!

    override func setUpWithError() throws { root = try temporaryFolder("saved") }

    /// Loads `url` as `retort eval` does and compares its logits on the first test images
    /// with `reference`'s.
    func assertLoadsWithTheSameLogits(_ url: URL, _ reference: Layer, test: ImageData, model: String,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let saved = try SavedModel.load(url)
        XCTAssertEqual(saved.info.model, model, file: file, line: line)
        XCTAssertEqual(saved.info.data, .digits, file: file, line: line)
        let a = Evaluation.probe(reference, inputShape: saved.inputShape, on: test, count: 16)[1].tensor
        let b = Evaluation.probe(saved.net, inputShape: saved.inputShape, on: test, count: 16)[1].tensor
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        let worst = zip(a.array, b.array).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-4, "largest logit difference", file: file, line: line)
    }

    func testTrainingTabSave() throws {
        var c = TrainConfig()
        c.data = .digits; c.model = .cnn; c.epochs = 1; c.testCount = 300; c.threads = 1; c.seed = 3
        let folder = root.appendingPathComponent("train")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let job = try TrainingJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: folder),
                                  checkpoints: CheckpointStore(runFolder: folder))
        let wb = TrainingWorkbenchJob(job: job, runFolder: folder)
        for _ in 0..<3 { try wb.advance() }
        _ = try wb.handle(.save)
        try assertLoadsWithTheSameLogits(folder.appendingPathComponent("model.safetensors"), job.model, test: job.data.test, model: "cnn")
    }

    func testDistillTabSave() throws {
        let wb = try DistillWorkbenchJob.create(
            options: [("method", "full"), ("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "1"),
                      ("threads", "1"), ("seed", "5")],
            dataDirectory: Self.dataDir, runRoot: root.path, runName: "dst", tensorBoard: false)
        for _ in 0..<3 { try wb.advance() }
        _ = try wb.handle(.save)
        let job = wb.job
        job.net.model.setWidth(job.net.student)  // the student slice the file holds
        try assertLoadsWithTheSameLogits(wb.runFolder.appendingPathComponent("student.safetensors"), job.net.model,
                                         test: job.data.test, model: "mlp")
    }

    func testAttentionTabSave() throws {
        let wb = try AttentionWorkbenchJob.create(
            options: [("data", "digits"), ("kinds", "taylor"), ("epochs", "1"), ("test-count", "300"), ("batch-size", "64"), ("threads", "1")],
            dataDirectory: Self.dataDir, runRoot: root.path, diagnosticImages: 16, scalingSizes: [8])
        for _ in 0..<3 { try wb.advance() }
        _ = try wb.handle(.save)
        let job = try XCTUnwrap(wb.job)
        let folder = wb.snapshot(state: .paused, messages: [], elapsed: 1).runs[0].runFolder
        let url = URL(fileURLWithPath: folder).appendingPathComponent("model.safetensors")
        try assertLoadsWithTheSameLogits(url, job.model, test: job.data.test, model: "vit")
        XCTAssertEqual(try SavedModel.load(url).info.attention, "taylor")
        XCTAssertEqual(try SafeTensors.read(url).metadata["format"], "pt")
    }

    func testMetadataProblemsAreOneLine() throws {
        let url = root.appendingPathComponent("bare.safetensors")
        try SafeTensors.write([("fc1.weight", Tensor(shape: [2, 64]))], metadata: [:], to: url)
        XCTAssertThrowsError(try SavedModel.load(url)) {
            XCTAssertEqual("\($0)", "bare.safetensors: the metadata does not name the model (retort.model): pass --model mlp|cnn|vit")
        }
    }
}
