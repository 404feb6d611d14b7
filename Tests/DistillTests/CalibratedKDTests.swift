import Distill
import Foundation
import RetortCore
import XCTest

/// The calibrated KD weights, the held-out split, the collapse detector and the config
/// round trip of the new options.
final class CalibratedKDTests: XCTestCase {
    func testCalibratedWeightsByHand() {
        // Row 0: logits (ln 999, 0, 0 … ) over 2 classes → c = 999/1000, claims 0.001 error.
        // Row 1: uniform over 2 → c = 0.5. Held-out error 0.02.
        let z = Tensor(shape: [2, 2], values: [Float(log(999.0)), 0, 0, 0])
        let w = UncertaintyWeights.calibrated(teacherLogits: z, heldOutError: 0.02)
        XCTAssertEqual(Double(w[0]), 0.001 / 0.02, accuracy: 1e-5, "over-confident: (1 − c)/ε = 0.05")
        XCTAssertEqual(w[1], 1, "no more confident than the held-out accuracy allows: full weight")
        // the same confident row against a teacher that errs less on held-out data gets more weight
        let w2 = UncertaintyWeights.calibrated(teacherLogits: z, heldOutError: 0.002)
        XCTAssertEqual(Double(w2[0]), 0.5, accuracy: 1e-4)
    }

    func testHeldOutErrorRateIsLaplaceCorrected() {
        XCTAssertEqual(TeacherCalibration().errorRate, 0.5, "before any fit")
        // 3 errors in 118 rows → (3 + 1)/(118 + 2)
        let c = TeacherCalibration(temperature: 1, accuracy: 115.0 / 118.0, confidence: 0.99, samples: 118)
        XCTAssertEqual(c.errorRate, 4.0 / 120.0, accuracy: 1e-12)
        let perfect = TeacherCalibration(temperature: 1, accuracy: 1, confidence: 1, samples: 98)
        XCTAssertEqual(perfect.errorRate, 0.01, accuracy: 1e-12, "no held-out error still leaves 1/(n + 2)")
    }

    func testCalibrationFitMeasuresAccuracyConfidenceAndTemperature() {
        // Two rows, both predicted class 0 with p = e^4/(e^4 + 1); labels 0 and 1: accuracy 1/2.
        let z = Tensor(shape: [2, 2], values: [4, 0, 4, 0])
        let c = TeacherCalibration.fit(logits: z, labels: [0, 1])
        XCTAssertEqual(c.accuracy, 0.5); XCTAssertEqual(c.samples, 2)
        XCTAssertEqual(c.confidence, exp(4.0) / (exp(4.0) + 1), accuracy: 1e-9)
        // NLL of a 50 % accurate constant margin is minimal at margin 0, i.e. the largest T
        XCTAssertEqual(c.temperature, 50, accuracy: 1e-6)
        // a right and confident teacher is not softened: T stays at its lower bound 1
        XCTAssertEqual(TeacherCalibration.fit(logits: z, labels: [0, 0]).temperature, 1, accuracy: 1e-6)
        // by hand: margin m, labels 3 of 4 right: NLL(T) minimal where sigmoid(m/T) = 3/4, T = m/ln 3
        let y = Tensor(shape: [4, 2], values: [6, 0, 6, 0, 6, 0, 6, 0])
        XCTAssertEqual(UncertaintyWeights.fitTemperature(logits: y, labels: [0, 0, 0, 1]), 6 / log(3.0), accuracy: 1e-4)
    }

    func testHeldOutRowsAreFixedBySplitSeedAndFraction() {
        let a = TeacherCalibration.rows(count: 1200, fraction: 0.1, seed: 1)
        XCTAssertEqual(a.count, 120)
        XCTAssertEqual(a, a.sorted()); XCTAssertEqual(Set(a).count, 120)
        XCTAssertEqual(a, TeacherCalibration.rows(count: 1200, fraction: 0.1, seed: 1))
        XCTAssertNotEqual(a, TeacherCalibration.rows(count: 1200, fraction: 0.1, seed: 2))
        XCTAssertEqual(TeacherCalibration.rows(count: 1200, fraction: 0, seed: 1), [])
    }

    func testCollapseDetectorOnASyntheticSeries() {
        var d = CollapseDetector(threshold: 10)
        // rises to 85 at epoch 4, wobbles, falls from epoch 7 (below 80 = best − 5), past 75 at epoch 8
        let series: [Double] = [40, 60, 80, 85, 83, 84, 79, 70, 50, 34, 60, 82, 86]
        var events: [(Int, CollapseDetector.Event)] = []
        for (i, a) in series.enumerated() { if let e = d.observe(epoch: i + 1, accuracy: a) { events.append((i + 1, e)) } }
        XCTAssertEqual(events.count, 2)
        guard case .collapsed(let c) = events[0].1 else { return XCTFail("first event: \(events[0].1)") }
        XCTAssertEqual(events[0].0, 8)
        XCTAssertEqual(c.best, 85); XCTAssertEqual(c.bestEpoch, 4)
        XCTAssertEqual(c.beganEpoch, 7, "the first epoch of the stretch more than 5 points below the best")
        XCTAssertEqual(c.detectedEpoch, 8)
        guard case .recovered(let r) = events[1].1 else { return XCTFail("second event: \(events[1].1)") }
        XCTAssertEqual(events[1].0, 12); XCTAssertEqual(r.recoveredEpoch, 12)
        XCTAssertEqual(r.lowest, 34); XCTAssertEqual(r.lowestEpoch, 10)
        XCTAssertEqual(d.best, 86); XCTAssertEqual(d.bestEpoch, 13)
        XCTAssertEqual(d.maxDrop, 51); XCTAssertEqual(d.maxDropEpoch, 10)
        XCTAssertNil(d.ongoing)
        XCTAssertTrue(d.verdict.contains("COLLAPSE from 85.00% (epoch 4), began at epoch 7, detected at epoch 8, lowest 34.00% (epoch 10), recovered at epoch 12"), d.verdict)
        // a drop of exactly the threshold is not a collapse; a stable run says so
        var s = CollapseDetector(threshold: 10)
        for (i, a) in [80.0, 90, 80, 89].enumerated() { XCTAssertNil(s.observe(epoch: i + 1, accuracy: a)) }
        XCTAssertTrue(s.verdict.hasSuffix("no collapse (threshold 10 points)"), s.verdict)
        XCTAssertEqual(s.currentDrop, 1)
    }

    func testNewOptionsRoundTripAndValidate() throws {
        var c = DistillConfig()
        XCTAssertEqual(c.uncertainty, .calibrated)
        XCTAssertEqual(c.effectiveCalibrationHoldout, 0.1)
        XCTAssertEqual(c.effectiveCollapseDrop, 10)
        XCTAssertEqual(DistillConfig.preset(.kd).effectiveCalibrationHoldout, 0, "no calibration split without calibrated KD or held-out keeping")
        try c.set("collapse-drop", "5"); try c.set("calibration-holdout", "0.2")
        let data = try JSONEncoder().encode(c)
        let back = try JSONDecoder().decode(DistillConfig.self, from: data)
        XCTAssertEqual(back, c)
        XCTAssertEqual(back.collapseDrop, 5); XCTAssertEqual(back.calibrationHoldout, 0.2)
        // an old config.json (no new keys, the entropy weighting recorded) replays as it was
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(DistillConfig.preset(.full))) as! [String: Any]
        old["uncertainty"] = "entropy"; old.removeValue(forKey: "collapseDrop"); old.removeValue(forKey: "calibrationHoldout"); old.removeValue(forKey: "keepStudent")
        let replay = try JSONDecoder().decode(DistillConfig.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertEqual(replay.uncertainty, .entropy)
        XCTAssertEqual(replay.effectiveCalibrationHoldout, 0, "the old weighting holds nothing out")
        XCTAssertEqual(replay.effectiveKeepStudent, .last, "a config.json from before keep-student keeps the last student")
        var bad = DistillConfig(); bad.calibrationHoldout = 0
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".hasPrefix("calibration-holdout: calibrated KD needs")) }
        bad.calibrationHoldout = 0.7
        XCTAssertThrowsError(try bad.validate()) { XCTAssertEqual("\($0)", "calibration-holdout: must be a fraction in [0, 0.5], got 0.7") }
        var drop = DistillConfig(); drop.collapseDrop = -1
        XCTAssertThrowsError(try drop.validate()) { XCTAssertEqual("\($0)", "collapse-drop: must be in [0, 100] points, got -1.0") }
    }
}
