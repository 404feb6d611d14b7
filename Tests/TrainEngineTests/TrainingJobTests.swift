import Foundation
import RetortCore
import RetortModels
import RunKit
import TrainEngine
import XCTest

final class TrainingJobTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    func config(_ model: TrainConfig.ModelKind, epochs: Int = 2) -> TrainConfig {
        var c = TrainConfig()
        c.data = .digits; c.model = model; c.epochs = epochs; c.testCount = 300; c.threads = 1
        c.lr = 0.05; c.seed = 11
        return c
    }

    func run(_ c: TrainConfig) throws -> [EpochSummary] {
        let job = try TrainingJob(config: c, dataDirectory: Self.dataDir, log: nil)
        var out: [EpochSummary] = []
        while !job.isFinished { if let s = job.step().epochSummary { out.append(s) } }
        return out
    }

    func testShortMLPRunBeatsChanceByFar() throws {
        let s = try run(config(.mlp))
        XCTAssertEqual(s.count, 2)
        XCTAssertGreaterThan(s.last!.testAccuracy, 0.85, "10 classes: chance is 0.10")
        XCTAssertLessThan(s.last!.trainLoss, s.first!.trainLoss)
    }

    func testShortCNNRunBeatsChanceByFar() throws {
        let s = try run(config(.cnn, epochs: 3))
        XCTAssertGreaterThan(s.last!.testAccuracy, 0.6)
    }

    func testSameSeedAndThreadsGiveIdenticalNumbers() throws {
        let a = try run(config(.cnn, epochs: 1)), b = try run(config(.cnn, epochs: 1))
        XCTAssertEqual(a.map(\.trainLoss), b.map(\.trainLoss))
        XCTAssertEqual(a.map(\.testAccuracy), b.map(\.testAccuracy))
        var c = config(.cnn, epochs: 1); c.seed = 12
        XCTAssertNotEqual(try run(c).map(\.trainLoss), a.map(\.trainLoss), "a different seed must change the run")
    }

    func testAChangeThatChangesNothingIsNotLogged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-noop-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try TrainingJob(config: config(.mlp, epochs: 1), dataDirectory: Self.dataDir, log: try MetricsLog(folder: dir, tensorBoard: false))
        try job.set("lr", to: "0.02")
        try job.set("lr", to: "0.02")
        try job.set("lr", to: "2e-2")
        try job.set("momentum", to: "\(job.hyper.momentum)")
        let rows = try String(contentsOf: dir.appendingPathComponent("hparams.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 2, "header and the one real change: \(rows)")
        XCTAssertTrue(rows[1].hasPrefix("0,0,lr,0.05,0.02"), String(rows[1]))
    }

    func testHyperparameterChangesAreValidatedAndApplied() throws {
        let job = try TrainingJob(config: config(.mlp, epochs: 1), dataDirectory: Self.dataDir, log: nil)
        XCTAssertThrowsError(try job.set("lr", to: "-0.1")) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got -0.1") }
        XCTAssertThrowsError(try job.set("lr", to: "fast")) { XCTAssertEqual("\($0)", "lr: 'fast' is not a number") }
        XCTAssertThrowsError(try job.set("batch_size", to: "3.5")) { XCTAssertEqual("\($0)", "batch_size: must be a whole number, got 3.5") }
        XCTAssertThrowsError(try job.set("nope", to: "1")) { XCTAssertTrue("\($0)".hasPrefix("unknown hyperparameter 'nope'")) }
        XCTAssertEqual(job.hyper.lr, 0.05)
        try job.set("lr", to: "1/100")
        XCTAssertEqual(job.hyper.lr, 0.01, accuracy: 1e-9)
        try job.set("batch_size", to: "16")
        let r = job.step()
        XCTAssertEqual(r.samples, 16)
    }

    func testInvalidConfigNamesTheField() {
        var c = config(.mlp); c.epochs = 0
        XCTAssertThrowsError(try TrainingJob(config: c, dataDirectory: Self.dataDir, log: nil)) {
            XCTAssertEqual("\($0)", "epochs: must be ≥ 1, got 0")
        }
    }

    func testMetricsLogWritesCSVAndJSONLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-metrics-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try MetricsLog(folder: dir)
        log.write(MetricRecord(kind: "epoch", step: 10, epoch: 1, values: [("loss", 0.5), ("acc", 0.25)]))
        log.write(MetricRecord(kind: "hparam", step: 12, epoch: 1, values: [("from", 0.1), ("to", 0.01)], note: "lr 0.1 → 0.01", name: "lr"))
        log.write(MetricRecord(kind: "epoch", step: 20, epoch: 2, values: [("loss", .nan), ("acc", 0.5)]))
        let csv = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
        XCTAssertEqual(csv, "step,epoch,loss,acc\n10,1,0.5,0.25\n20,2,nan,0.5\n")
        let jsonl = try String(contentsOf: dir.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, 3)
        XCTAssertEqual(String(jsonl[2]), "{\"kind\":\"epoch\",\"step\":20,\"epoch\":2,\"loss\":null,\"acc\":0.5}")
        for line in jsonl { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8))) }
        let hp = try String(contentsOf: dir.appendingPathComponent("hparams.csv"), encoding: .utf8)
        XCTAssertEqual(hp, "step,epoch,name,from,to,note\n12,1,lr,0.1,0.01,\"lr 0.1 → 0.01\"\n")
    }
}
