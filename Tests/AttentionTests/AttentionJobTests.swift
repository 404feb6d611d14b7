import Attention
import Foundation
import RetortCore
import RunKit
import TrainEngine
import XCTest

final class AttentionJobTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    /// A small ViT on the 8×8 digits so the tests stay quick.
    func config(_ kind: AttentionKind, epochs: Int = 2, seed: UInt64 = 3) -> AttentionTrainConfig {
        var c = AttentionTrainConfig()
        c.data = .digits; c.kind = kind; c.epochs = epochs; c.testCount = 300; c.threads = 1; c.seed = seed
        c.vit = ViTConfig(name: "test-digits", imageSize: 8, patchSize: 2, width: 32, heads: 4, depth: 2, mlpRatio: 2)
        c.warmupEpochs = 0.5; c.lr = 3e-3; c.batchSize = 32; c.labelSmoothing = 0; c.shiftAugment = 0
        return c
    }

    /// --sparse-anneal: the weight of S_sparse·V is 1 until the final fraction, then falls
    /// linearly to 0 at the end of training.
    func testSparseAnnealRampsTheSparseWeightToZero() throws {
        XCTAssertEqual(AttentionJob.sparseWeight(progress: 0.3, anneal: 0), 1)
        XCTAssertEqual(AttentionJob.sparseWeight(progress: 0.75, anneal: 0.25), 1)
        XCTAssertEqual(AttentionJob.sparseWeight(progress: 0.875, anneal: 0.25), 0.5, accuracy: 1e-6)
        XCTAssertEqual(AttentionJob.sparseWeight(progress: 1, anneal: 0.25), 0)
        XCTAssertEqual(AttentionJob.sparseWeight(progress: 0.5, anneal: 1), 0.5, accuracy: 1e-6)
        var c = AttentionTrainConfig()
        c.sparseAnneal = 1.5
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual("\($0)", "sparse-anneal: must be in [0, 1], got 1.5") }
    }

    func testTrainingLearnsForEveryKind() throws {
        for kind in AttentionKind.allCases {
            let job = try AttentionJob(config: config(kind, epochs: 6), dataDirectory: Self.dataDir, log: nil)
            job.run()
            let e = job.curves.epochs
            XCTAssertEqual(e.count, 6)
            XCTAssertLessThan(e.last!.trainLoss, e.first!.trainLoss, "\(kind): training loss must fall")
            XCTAssertGreaterThan(e.last!.testAccuracy, 0.5, "\(kind): 10 classes, chance is 0.10")
        }
    }

    func testStepsCurvesAndMaskDensity() throws {
        let job = try AttentionJob(config: config(.taylorSparse, epochs: 1), dataDirectory: Self.dataDir, log: nil)
        let perEpoch = job.stepsPerEpoch
        XCTAssertEqual(perEpoch, (1797 - 300 + 31) / 32)
        var summaries = 0
        for i in 1...perEpoch {
            let r = job.step()
            XCTAssertEqual(r.step, i)
            XCTAssertTrue(r.loss.isFinite)
            let d = try XCTUnwrap(r.maskDensity, "taylor-sparse trains with the sparse path")
            XCTAssertTrue(d > 0 && d <= 1)
            if r.epochSummary != nil { summaries += 1; XCTAssertEqual(i, perEpoch) }
        }
        XCTAssertEqual(summaries, 1)
        XCTAssertTrue(job.isFinished)
        XCTAssertEqual(job.curves.loss.count, perEpoch)
        XCTAssertEqual(job.curves.maskDensity.count, perEpoch)
        XCTAssertNotNil(job.curves.epochs.first?.maskDensity)

        let plain = try AttentionJob(config: config(.taylor, epochs: 1), dataDirectory: Self.dataDir, log: nil)
        XCTAssertNil(plain.step().maskDensity)
        XCTAssertTrue(plain.curves.maskDensity[0].isNaN)
    }

    func testSameSeedGivesIdenticalRunsAndKindsShareTheInitialisation() throws {
        func losses(_ c: AttentionTrainConfig) throws -> [Float] {
            let job = try AttentionJob(config: c, dataDirectory: Self.dataDir, log: nil)
            for _ in 0..<5 { job.step() }
            return job.curves.loss
        }
        XCTAssertEqual(try losses(config(.taylor)), try losses(config(.taylor)))
        XCTAssertNotEqual(try losses(config(.taylor)), try losses(config(.taylor, seed: 4)))
        let a = try AttentionJob(config: config(.softmax), dataDirectory: Self.dataDir, log: nil)
        let b = try AttentionJob(config: config(.taylorSparse), dataDirectory: Self.dataDir, log: nil)
        for (p, q) in zip(a.model.parameters, b.model.parameters) { XCTAssertEqual(p.value.array, q.value.array, p.name) }
    }

    func testHyperparametersAreValidatedAndApplied() throws {
        let job = try AttentionJob(config: config(.softmax), dataDirectory: Self.dataDir, log: nil)
        job.step()
        XCTAssertThrowsError(try job.set("lr", to: "-1")) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got -1") }
        let before = job.currentLR
        try job.set("lr", to: "1e-4")
        XCTAssertLessThan(job.currentLR, before)
        try job.set("weight_decay", to: "0.1")
        XCTAssertEqual(job.optimizer.weightDecay, 0.1)
        try job.set("batch_size", to: "100")
        XCTAssertEqual(job.step().samples, 100)
    }

    func testSparseThresholdChangesLiveAndIsLogged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-attn-set-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = try AttentionJob(config: config(.taylorSparse), dataDirectory: Self.dataDir, log: try MetricsLog(folder: dir))
        let before = try XCTUnwrap(job.step().maskDensity)
        XCTAssertThrowsError(try job.set("sparse_threshold", to: "1")) { XCTAssertEqual("\($0)", "sparse_threshold: must be in (0, 1), got 1") }
        XCTAssertThrowsError(try job.set("sparse_threshold", to: "x")) { XCTAssertEqual("\($0)", "sparse_threshold: 'x' is not a number") }
        XCTAssertThrowsError(try job.set("kind", to: "taylor")) { XCTAssertTrue("\($0)".hasPrefix("unknown setting 'kind': one of lr, "), "\($0)") }
        XCTAssertEqual(job.sparseThreshold, 0.002)
        let r = try job.set("sparse_threshold", to: "0.5")
        XCTAssertEqual(r.from, "0.002"); XCTAssertEqual(r.to, "0.5")
        XCTAssertEqual(job.model.cores.map(\.sparse.threshold), Array(repeating: 0.5, count: job.model.cores.count))
        let after = try XCTUnwrap(job.step().maskDensity)
        XCTAssertLessThan(after, before, "a higher τ keeps fewer entries")
        try job.set("lr", to: "1e-3")
        let csv = try String(contentsOf: dir.appendingPathComponent("hparams.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").map(String.init),
                       ["step,epoch,name,from,to,note", "1,0,sparse_threshold,0.002,0.5,\"sparse_threshold 0.002 → 0.5\"",
                        "2,0,lr,0.003,0.001,\"lr 0.003 → 0.001\""])
    }

    func testInvalidConfigurationsAreRejected() {
        var c = config(.taylor)
        c.vit = ViTConfig(name: "bad", imageSize: 8, patchSize: 3, width: 32, heads: 4, depth: 2)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("patch size 3 must divide the image size 8"), "\($0)") }
        c = config(.taylor); c.data = .mnist5k
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("expects 8×8×1 images, mnist5k has 28×28×1"), "\($0)") }
        c = config(.taylor); c.sparse.threshold = -0.1
        XCTAssertThrowsError(try c.validate())
        XCTAssertThrowsError(try AttentionKind.parseList("softmax,fast")) { XCTAssertTrue("\($0)".contains("unknown attention 'fast'")) }
        XCTAssertEqual(try AttentionKind.parseList("softmax, taylor-sparse"), [.softmax, .taylorSparse])
    }

    func testTaylorSparseInfersWithTheLowRankPathAlone() throws {
        let job = try AttentionJob(config: config(.taylorSparse), dataDirectory: Self.dataDir, log: nil)
        for _ in 0..<3 { job.step() }
        let x = randomTensor([5, 8, 8, 1], seed: 1)
        let sparse = job.model.forward(x, training: false).array
        job.model.kind = .taylor
        let lowRank = job.model.forward(x, training: false).array
        job.model.kind = .taylorSparse
        XCTAssertEqual(sparse, lowRank)
        XCTAssertNotEqual(job.model.forward(x, training: true).array, lowRank, "training adds S_sparse·V")
        let own = job.evaluate(job.data.test), swapped = job.evaluate(job.data.test, kind: .softmax)
        XCTAssertEqual(job.model.kind, .taylorSparse, "evaluate(kind:) restores the model's attention")
        XCTAssertNotEqual(own.loss, swapped.loss)
    }

    func testRunFolderAndMetrics() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("attn-job-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let c = config(.taylorSparse, epochs: 1)
        let folder = try RunFolder.create(root: root.path, name: "run", config: c)
        let job = try AttentionJob(config: c, dataDirectory: Self.dataDir, log: try MetricsLog(folder: folder))
        job.run()
        let csv = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("step,epoch,train_loss,train_accuracy,test_loss,test_accuracy"), csv)
        XCTAssertTrue(csv.contains("mask_density"))
        let cfg = try JSONDecoder().decode(AttentionTrainConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        XCTAssertEqual(cfg, c)
    }
}
