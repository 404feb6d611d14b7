import Distill
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine
import XCTest

/// The joint step on real data: gradient isolation, learning, determinism, live settings,
/// export.
final class DistillJobTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path
    static let digits: PreparedData = try! PreparedData.load(.digits, directory: dataDir, testCount: 597, seed: 1)

    func config(_ method: DistillMethod = .full, model: TrainConfig.ModelKind = .mlp, epochs: Int = 3) -> DistillConfig {
        var c = DistillConfig.preset(method)
        c.model = model; c.epochs = epochs; c.threads = 1; c.seed = 3
        if model == .mlp { c.mlpHidden = [8, 8]; c.teacherWidth = [4]; c.lr = 0.05 }
        else { c.studentWidth = 0.25; c.teacherWidth = [4]; c.teacherExpand = [1.5]; c.lr = 0.05 }
        return c
    }

    func testLayoutIsTheStudentSliceOfEveryTensor() throws {
        let job = try DistillJob(config: config(model: .mlp), data: Self.digits, log: nil)
        let l = job.layout
        XCTAssertEqual(l.names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "classifier.weight", "classifier.bias"])
        XCTAssertEqual(l.shapes, [[32, 64], [32], [32, 32], [32], [10, 32], [10]])
        XCTAssertEqual(l.extents, [[8, 64], [8], [8, 8], [8], [10, 8], [10]])

        let cnn = try DistillJob(config: config(model: .cnn), data: Self.digits, log: nil)
        let ext = Dictionary(uniqueKeysWithValues: zip(cnn.layout.names, zip(cnn.layout.shapes, cnn.layout.extents)))
        // digits config × 0.25: stem 4, blocks 4 (×2, shortcut), 6 (×4), 8 (×4), head 24; teacher ×4, expand ×1.5
        XCTAssertEqual(ext["stem.weight"]!.0, [16, 1, 3, 3]); XCTAssertEqual(ext["stem.weight"]!.1, [4, 1, 3, 3])
        XCTAssertEqual(ext["blocks.1.expand.weight"]!.0, [96, 16, 1, 1]); XCTAssertEqual(ext["blocks.1.expand.weight"]!.1, [16, 4, 1, 1])
        XCTAssertEqual(ext["blocks.1.dw.weight"]!.1, [16, 1, 3, 3])
        XCTAssertEqual(ext["blocks.1.project.weight"]!.1, [6, 16, 1, 1])
        XCTAssertEqual(ext["head.weight"]!.0, [96, 32, 1, 1]); XCTAssertEqual(ext["head.weight"]!.1, [24, 8, 1, 1])
        XCTAssertEqual(ext["classifier.weight"]!.0, [10, 96]); XCTAssertEqual(ext["classifier.weight"]!.1, [10, 24])
        XCTAssertEqual(ext["head_bn.weight"]!.1, [24])
    }

    /// G_s is exactly zero outside the shared elements (and non-zero inside); G_t reaches
    /// the teacher-only elements.
    func testStudentGradientTouchesOnlySharedElements() throws {
        for model in [TrainConfig.ModelKind.mlp, .cnn] {
            for mode in [SurgeryMode.none, .symmetric] {
                var c = config(.full, model: model)
                c.surgery = mode; c.tau = 1   // tau 1: surgery acts on every step
                let job = try DistillJob(config: c, data: Self.digits, log: nil)
                for _ in 0..<3 { job.step() }
                var inside = 0, nonzeroInside = 0, teacherOnlyNonzero = 0
                for (i, g) in job.studentGradient.enumerated() {
                    for j in 0..<g.count {
                        if job.layout.contains(tensor: i, index: j) {
                            inside += 1; if g[j] != 0 { nonzeroInside += 1 }
                        } else {
                            XCTAssertEqual(g[j], 0, "\(model) \(mode): \(job.layout.names[i])[\(j)] outside the student slice")
                            if job.teacherGradient[i][j] != 0 { teacherOnlyNonzero += 1 }
                        }
                    }
                }
                XCTAssertGreaterThan(Double(nonzeroInside), 0.9 * Double(inside), "\(model): the student's gradient fills its slice")
                XCTAssertGreaterThan(teacherOnlyNonzero, 0, "\(model): the teacher trains its own elements")
            }
        }
    }

    func testShortRunsBeatChanceByFar() throws {
        let mlp = try DistillJob(config: config(.full, model: .mlp, epochs: 6), data: Self.digits, log: nil).run()
        XCTAssertGreaterThan(mlp.studentTestAccuracy, 0.8, "MLP student (chance is 0.1)")
        XCTAssertGreaterThan(mlp.teacherTestAccuracy, 0.8)
        XCTAssertTrue(mlp.meanCosine.isFinite)
        let cnn = try DistillJob(config: config(.full, model: .cnn, epochs: 2), data: Self.digits, log: nil).run()
        XCTAssertGreaterThan(cnn.studentTestAccuracy, 0.6, "CNN student (chance is 0.1)")
        let base = try DistillJob(config: config(.base, model: .mlp, epochs: 6), data: Self.digits, log: nil).run()
        XCTAssertGreaterThan(base.studentTestAccuracy, 0.7)
        XCTAssertTrue(base.meanCosine.isNaN, "no teacher, no cosine")
    }

    func parameters(_ job: DistillJob) -> [[Float]] { job.net.parameters.map(\.value.array) }

    func testDeterministicForSeedAndThreads() throws {
        for threads in [1, 2] {
            var c = config(.full, model: .cnn, epochs: 1)
            c.threads = threads; c.uncertainty = .ensemble; c.randomWidths = [1, 2.5, 4]; c.sortChannels = true
            c.epochs = 2; c.shiftAugment = 1
            let a = try DistillJob(config: c, data: Self.digits, log: nil), b = try DistillJob(config: c, data: Self.digits, log: nil)
            let sa = a.run(), sb = b.run()
            XCTAssertEqual(parameters(a), parameters(b), "threads \(threads)")
            XCTAssertEqual(sa.studentTestAccuracy, sb.studentTestAccuracy)
            XCTAssertEqual(sa.meanCosine, sb.meanCosine)
            XCTAssertEqual(sa.conflictFraction, sb.conflictFraction)
        }
        // A different seed gives a different run.
        var c = config(.full, model: .mlp, epochs: 1)
        let a = try DistillJob(config: c, data: Self.digits, log: nil); a.run()
        c.seed = 4
        let b = try DistillJob(config: c, data: Self.digits, log: nil); b.run()
        XCTAssertNotEqual(parameters(a), parameters(b))
    }

    /// Paired runs: for one seed every condition starts from the same weights (same
    /// allocation) and sees the same batches.
    func testConditionsArePairedBySeed() throws {
        let base = try DistillJob(config: config(.base), data: Self.digits, log: nil)
        let full = try DistillJob(config: config(.full), data: Self.digits, log: nil)
        XCTAssertEqual(parameters(base), parameters(full))
    }

    func testLiveSurgeryChangeShowsInTheNextSteps() throws {
        var c = config(.kd, model: .mlp, epochs: 2)
        c.tau = 1    // every step "conflicts" once surgery is on
        let job = try DistillJob(config: c, data: Self.digits, log: nil)
        for _ in 0..<5 {
            let r = job.step()
            XCTAssertEqual(r.surgery!.projections, 0)
            XCTAssertEqual(r.surgery!.after.cosine, r.surgery!.before.cosine)
        }
        let change = try job.set("surgery", to: "asym")
        XCTAssertEqual(change.from, "none"); XCTAssertEqual(change.to, "asym")
        for _ in 0..<5 {
            let r = job.step()
            XCTAssertEqual(r.surgery!.projections, 1)
            XCTAssertEqual(r.surgery!.after.cosine, 0, accuracy: 1e-5, "post-surgery cosine is 0 after an asymmetric projection")
            XCTAssertNotEqual(r.surgery!.before.cosine, 0)
        }
        try job.set("granularity", to: "per-tensor")
        let r = job.step()
        XCTAssertEqual(r.surgery!.projections, job.layout.count)
        for a in r.surgery!.afterPerTensor { XCTAssertEqual(a.cosine, 0, accuracy: 1e-4) }
        try job.set("lambda", to: "0")
        XCTAssertEqual(job.step().kdLoss, 0)
        XCTAssertThrowsError(try job.set("surgery", to: "sideways")) { e in
            XCTAssertEqual("\(e)", "surgery: must be one of none, sym, asym, drop, got 'sideways'")
        }
        XCTAssertThrowsError(try job.set("temperature", to: "0"))
        XCTAssertThrowsError(try job.set("warp", to: "1"))
        XCTAssertEqual(job.settings.surgery, .asymmetric, "a refused change leaves the settings alone")
    }

    func testEntropyAndWeightsAreReported() throws {
        // the U1 formula: the entropy weighting (no longer full's default) is asked for by name
        var e = config(.full); e.uncertainty = .entropy
        let job = try DistillJob(config: e, data: Self.digits, log: nil)
        let r = job.step()
        XCTAssertEqual(r.entropies.count, r.samples)
        XCTAssertEqual(r.kdWeights.count, r.samples)
        XCTAssertTrue(r.entropies.allSatisfy { $0 >= 0 && $0 <= Float(log(10.0)) + 1e-5 })
        XCTAssertEqual(r.meanKDWeight, 1 - r.meanEntropy / log(10.0), accuracy: 1e-4)
        var c = config(.full); c.uncertainty = .gate
        let g = try DistillJob(config: c, data: Self.digits, log: nil).step()
        XCTAssertTrue(g.kdWeights.allSatisfy { $0 == 0 || $0 == 1 })
    }

    func testKDWarmupRampsLambda() throws {
        var c = config(.kd, epochs: 4); c.kdWarmupEpochs = 2
        let job = try DistillJob(config: c, data: Self.digits, log: nil)
        XCTAssertEqual(job.step().lambda, 0, "no KD on the first step")
        while job.epoch < 1 { job.step() }
        XCTAssertEqual(job.currentLambda, 0.5, accuracy: 0.02)
        while job.epoch < 2 { job.step() }
        XCTAssertEqual(job.step().lambda, 1)
    }

    func testStudentExportHasTheSliceShapes() throws {
        let job = try DistillJob(config: config(.full, model: .cnn, epochs: 1), data: Self.digits, log: nil)
        job.step()
        let tensors = job.net.studentTensors()
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        XCTAssertEqual(byName["stem.weight"]!.shape, [4, 1, 3, 3])
        XCTAssertEqual(byName["classifier.weight"]!.shape, [10, 24])
        XCTAssertEqual(byName["head_bn.running_mean"]!.shape, [24])
        // The slice values are the first-k entries of the full tensor.
        let stem = job.net.parameters.first { $0.name == "stem.weight" }!
        XCTAssertEqual(byName["stem.weight"]!.array, Array(stem.value.array[0..<36]))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try job.saveStudent(to: url)
        let bytes = try Data(contentsOf: url)
        XCTAssertGreaterThan(bytes.count, 8 + tensors.reduce(0) { $0 + 4 * $1.tensor.count })
    }
}
