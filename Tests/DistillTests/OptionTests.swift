import Distill
import Foundation
import RunKit
import TrainEngine
import XCTest

/// Bad option values give one clear line naming the option and what is allowed.
final class OptionTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    func testBadValuesAreRejectedWithTheOptionName() {
        var c = DistillConfig()
        XCTAssertEqual(message { try c.set("surgery", "pcgrad") }, "surgery: must be one of none, sym, asym, drop, got 'pcgrad'")
        XCTAssertEqual(message { try c.set("granularity", "layer") }, "granularity: must be one of whole, per-tensor, got 'layer'")
        XCTAssertEqual(message { try c.set("uncertainty", "mc") }, "uncertainty: must be one of entropy, gate, ensemble, none, calibrated, got 'mc'")
        XCTAssertEqual(message { try c.set("tau", "abc") }, "tau: 'abc' is not a number")
        XCTAssertEqual(message { try c.set("teacher-width", "2,x") }, "teacher-width: '2,x' is not a comma-separated list of numbers")
        XCTAssertEqual(message { try c.set("epochs", "1.5") }, "epochs: must be a whole number, got '1.5'")
        XCTAssertEqual(message { try c.set("colour", "red") }?.hasPrefix("unknown option 'colour'"), true)
        XCTAssertEqual(c, DistillConfig(), "nothing changed")

        func invalid(_ key: String, _ value: String) -> String? {
            var c = DistillConfig()
            return message { try c.set(key, value); try c.validate() }
        }
        XCTAssertEqual(invalid("tau", "2"), "tau: must be in [-1, 1], got 2.0")
        XCTAssertEqual(invalid("temperature", "0"), "temperature: must be in (0, 20], got 0.0")
        XCTAssertEqual(invalid("teacher-width", "0.5"), "teacher-width: must be factors in [1, 16] (relative to the student), got 0.5")
        XCTAssertEqual(invalid("ensemble-k", "1"), "ensemble-k: must be in 2…16, got 1")
        XCTAssertEqual(invalid("lambda", "-1"), "lambda: must be in [0, 100], got -1.0")
        XCTAssertEqual(invalid("batch-size", "1"), "batch-size: must be in 2…4096, got 1")
        XCTAssertEqual(invalid("teacher-expand", "2"), "teacher-expand/random-expands: the MLP has no expand ratios (use --teacher-width)")
        var base = DistillConfig.preset(.base)
        XCTAssertEqual(message { try base.set("lambda", "1"); try base.validate() }?.hasPrefix("lambda: distillation needs the trained teacher"), true)
        XCTAssertNil(message { try DistillConfig.preset(.base).validate() })
        for m in DistillMethod.allCases { XCTAssertNil(message { try DistillConfig.preset(m).validate() }, m.rawValue) }
    }

    /// NetAug's stop_aug_w_epoch: the sampled width list is pinned to [1] in the last N epochs.
    func testWidthAugmentationStopsForTheLastEpochs() throws {
        var c = DistillConfig.preset(.netaugRandom)
        try c.set("epochs", "10")
        try c.set("teacher-width", "3")
        XCTAssertEqual(c.randomWidths(atEpoch: 9), [1, 2, 3], "off by default")
        try c.set("stop-width-aug", "4")
        try c.validate()
        XCTAssertEqual(c.randomWidths(atEpoch: 0), [1, 2, 3])
        XCTAssertEqual(c.randomWidths(atEpoch: 5), [1, 2, 3])
        XCTAssertEqual(c.randomWidths(atEpoch: 6), [1], "the last 4 of 10 epochs")
        XCTAssertEqual(c.randomWidths(atEpoch: 9), [1])
        try c.set("stop-width-aug", "11")
        XCTAssertEqual(message { try c.validate() }, "stop-width-aug: must be in 0…epochs (10), got 11")
        var fixed = DistillConfig.preset(.full)
        try fixed.set("stop-width-aug", "2")
        XCTAssertEqual(fixed.randomWidths(atEpoch: 39), [], "no sampling, nothing to stop")
    }

    func testTeacherFactorListMustMatchTheGroups() throws {
        var c = DistillConfig()
        c.mlpHidden = [4, 4]; c.teacherWidth = [2, 3, 4]
        let data = DistillJobTests.digits
        XCTAssertEqual(message { _ = try DistillJob(config: c, data: data, log: nil) },
                       "teacher-width: give 1 value or 2 (one per layer group of this model), got 3")
        c.teacherWidth = [2, 4]
        let job = try DistillJob(config: c, data: data, log: nil)
        XCTAssertEqual(job.layout.shapes[0], [16, 64], "allocated at the largest factor")
        XCTAssertEqual(job.net.teacherLayout.extents[0], [8, 64], "the teacher uses 2× in the first group")
        XCTAssertEqual(job.net.teacherLayout.extents[2], [16, 8])
    }

    func testPresetsAndOverrides() throws {
        var c = DistillConfig()
        try c.set("method", "netaug-random")
        try c.set("teacher-width", "3")
        XCTAssertEqual(c.effectiveRandomWidths, [1, 2, 3])
        XCTAssertTrue(c.randomSampling)
        try c.set("random-widths", "1,3")
        XCTAssertEqual(c.effectiveRandomWidths, [1, 3])
        let kd = DistillConfig.preset(.kd)
        XCTAssertEqual(kd.uncertainty, .none); XCTAssertEqual(kd.surgery, .none); XCTAssertEqual(kd.lambda, 1)
        let full = DistillConfig.preset(.full)
        XCTAssertEqual(full.uncertainty, .calibrated); XCTAssertEqual(full.surgery, .asymmetric); XCTAssertEqual(full.granularity, .whole)
        let cond = try CompareCondition.parse("full:granularity=per-tensor:tau=0.1", base: DistillConfig())
        XCTAssertEqual(cond.config.granularity, .perTensor); XCTAssertEqual(cond.config.tau, 0.1)
        XCTAssertEqual(message { _ = try CompareCondition.parse("fancy", base: DistillConfig()) },
                       "conditions: unknown method 'fancy' (one of base, netaug, netaug-random, kd, ukd, surgery, full)")
        XCTAssertEqual(message { _ = try CompareCondition.parse("kd:seed=3", base: DistillConfig()) },
                       "conditions: 'seed' must be the same for every condition; pass it as an option of compare")
        XCTAssertEqual(message { _ = try CompareCondition.parse("kd:tau", base: DistillConfig()) },
                       "conditions: 'tau' in 'kd:tau' is not key=value")
    }

    func testLiveSettingsValidation() {
        var s = DistillSettings(DistillConfig())
        XCTAssertEqual(message { try s.set("lr", "0") }, "lr: must be in (0, 10], got 0")
        XCTAssertEqual(message { try s.set("tau", "-1.5") }, "tau: must be in [-1, 1], got -1.5")
        XCTAssertNil(message { try s.set("lr", "1/50") })
        XCTAssertEqual(s.lr, 0.02)
        XCTAssertNil(message { try s.set("uncertainty", "Gate") })
        XCTAssertEqual(s.uncertainty, .gate)
        XCTAssertEqual(DistillSettings.names, ["surgery", "granularity", "tau", "temperature", "lambda", "uncertainty", "lr"])
    }

    func testCompareTableIsPairedBySeed() {
        func run(_ ci: Int, _ seed: UInt64, _ acc: Double) -> CompareRun {
            CompareRun(condition: ci, label: ci == 0 ? "base" : "kd", seed: seed, summary: DistillRunSummary(
                studentTestAccuracy: acc, studentTrainAccuracy: acc, teacherTestAccuracy: .nan, teacherTrainAccuracy: .nan,
                conflictFraction: .nan, anyTensorConflictFraction: .nan, meanCosine: .nan, cosineFirst10: .nan, cosineLast10: .nan,
                meanEntropy: .nan, meanKDWeight: .nan, steps: 1, seconds: 1))
        }
        // Seed noise (0.80 / 0.90 / 0.70) is large; the paired gain is exactly +0.02 each time.
        let runs = [run(0, 1, 0.80), run(0, 2, 0.90), run(0, 3, 0.70), run(1, 1, 0.82), run(1, 2, 0.92), run(1, 3, 0.72)]
        let conds = [try! CompareCondition.parse("base", base: DistillConfig()), try! CompareCondition.parse("kd", base: DistillConfig())]
        let rows = Compare.table(runs, conditions: conds, baseline: 0)
        XCTAssertEqual(rows[1].studentMean, 0.82, accuracy: 1e-12)
        XCTAssertEqual(rows[1].studentStd, 0.1, accuracy: 1e-12)
        XCTAssertEqual(rows[1].diffMean, 0.02, accuracy: 1e-12)
        XCTAssertEqual(rows[1].diffStd, 0, accuracy: 1e-12)
        XCTAssertEqual(rows[1].wins, 3)
        XCTAssertEqual(rows[0].diffMean, 0)
    }

    func testRunSummaryFileRoundTripsNonFiniteValues() throws {
        let s = DistillRunSummary(studentTestAccuracy: 0.8125, studentTrainAccuracy: 0.9, teacherTestAccuracy: .nan, teacherTrainAccuracy: .infinity,
                                  conflictFraction: 0.25, anyTensorConflictFraction: 0.5, meanCosine: -0.125, cosineFirst10: 0.1, cosineLast10: 0.2,
                                  meanEntropy: 1.5, meanKDWeight: .nan, steps: 38, seconds: 2.5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-summary-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertNil(DistillRunSummary.read(runFolder: dir))
        try s.write(toRunFolder: dir)
        let text = try String(contentsOf: dir.appendingPathComponent("summary.json"), encoding: .utf8)
        XCTAssertTrue(text.contains(#""teacherTestAccuracy" : "nan""#), text)
        let r = try XCTUnwrap(DistillRunSummary.read(runFolder: dir))
        XCTAssertEqual(r.studentTestAccuracy, 0.8125)
        XCTAssertTrue(r.teacherTestAccuracy.isNaN)
        XCTAssertEqual(r.teacherTrainAccuracy, .infinity)
        XCTAssertTrue(r.meanKDWeight.isNaN)
        XCTAssertEqual(r.steps, 38)
    }
}
