import Distill
import Foundation
import RetortCore
import RetortData
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// `keep-student held-out`: the held-out rows never train either network, the kept student
/// is the best held-out epoch's, and it is what the summary reports and the export writes.
final class KeptStudentTests: XCTestCase {
    func testReplacementRuleAndDefaults() throws {
        let k = KeptStudent(epoch: 3, heldOutAccuracy: 0.9, heldOutLoss: 0.4, testAccuracy: 0.88, trainAccuracy: 0.95)
        XCTAssertTrue(k.isBeaten(accuracy: 0.91, loss: 9))
        XCTAssertTrue(k.isBeaten(accuracy: 0.9, loss: 0.3), "same accuracy, lower loss")
        XCTAssertFalse(k.isBeaten(accuracy: 0.9, loss: 0.4), "a tie keeps the earlier student")
        XCTAssertFalse(k.isBeaten(accuracy: 0.89, loss: 0.01))
        XCTAssertFalse(k.isBeaten(accuracy: .nan, loss: 0.1))

        for m in DistillMethod.allCases {
            var c = DistillConfig.preset(m)
            XCTAssertEqual(c.effectiveKeepStudent, .last, "\(m)")
            try c.set("keep-student", "held-out")
            XCTAssertEqual(c.effectiveCalibrationHoldout, 0.1, "\(m): held-out keeping holds rows out")
        }
        XCTAssertEqual(DistillConfig.preset(.kd).effectiveCalibrationHoldout, 0, "keeping the last student needs no held-out rows without calibrated KD")
        var bad = DistillConfig.preset(.base)
        bad.keepStudent = .heldOut; bad.calibrationHoldout = 0
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".hasPrefix("calibration-holdout: keep-student held-out needs held-out rows"), "\($0)") }
        XCTAssertThrowsError(try bad.set("keep-student", "best")) {
            XCTAssertEqual("\($0)", "keep-student: must be one of last, held-out, got 'best'")
        }
    }

    /// Two copies of the digits data that differ only in the labels of the held-out rows
    /// train to the same weights, bit for bit, when the student holds them out; the control
    /// (the student trains on them) does not.
    func testHeldOutLabelsNeverReachTheWeights() throws {
        let dir = try temporaryFolder("kept")
        let lines = try gunzipLines(DistillJobTests.dataDir + "/digits_8x8.csv.gz")
        let a = dir.appendingPathComponent("a.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: a, atomically: true, encoding: .utf8)
        func config(_ file: URL, keep: StudentKeeping) throws -> DistillConfig {
            var c = DistillConfig.preset(.kd)   // KD weights that do not read the held-out labels
            c.data = DataSource(file.path); try c.set("label-column", "last")
            c.mlpHidden = [8, 8]; c.lr = 0.05; c.epochs = 2; c.threads = 1; c.seed = 4; c.testCount = 400
            c.keepStudent = keep; c.calibrationHoldout = 0.1
            return c
        }
        let probe = try DistillJob(config: try config(a, keep: .heldOut), dataDirectory: dir.path, log: nil)
        XCTAssertTrue(probe.keepsHeldOutStudent)
        XCTAssertEqual(probe.calibrationRows.count, 140)
        // the held-out rows' lines in the file get another label
        var changed = lines
        for r in probe.calibrationRows {
            let line = probe.data.train.rows[r]
            var cols = changed[line].split(separator: ",").map(String.init)
            XCTAssertEqual(Int(cols[64]), probe.data.train.labels[r], "row \(r) is line \(line + 1)")
            cols[64] = String((Int(cols[64])! + 3) % 10)
            changed[line] = cols.joined(separator: ",")
        }
        let b = dir.appendingPathComponent("b.csv")
        try (changed.joined(separator: "\n") + "\n").write(to: b, atomically: true, encoding: .utf8)

        func train(_ file: URL, _ keep: StudentKeeping) throws -> (weights: [[Float]], heldOut: [Double]) {
            let job = try DistillJob(config: try config(file, keep: keep), dataDirectory: dir.path, log: nil)
            XCTAssertEqual(job.calibrationRows, probe.calibrationRows)
            var heldOut: [Double] = []
            job.run { heldOut.append($0.studentHeldOutAccuracy ?? .nan) }
            return (job.net.parameters.map(\.value.array), heldOut)
        }
        let (wa, ha) = try train(a, .heldOut), (wb, hb) = try train(b, .heldOut)
        XCTAssertEqual(wa, wb, "the held-out labels reached the weights")
        XCTAssertNotEqual(ha, hb, "the held-out evaluation reads them")
        XCTAssertNotEqual(try train(a, .last).weights, try train(b, .last).weights, "control: a student that trains on the rows sees their labels")
    }

    /// The kept student is the best held-out epoch's (ties: lower loss, then earlier); the
    /// summary reports its accuracies, the export writes its slice, and both survive a resume.
    func testKeptStudentIsTheBestHeldOutEpochAndIsExported() throws {
        let root = try temporaryFolder("kept2")
        var c = DistillConfig.preset(.full)
        c.mlpHidden = [4, 4]; c.lr = 0.05; c.epochs = 6; c.threads = 1; c.seed = 6; c.keepStudent = .heldOut
        let job = try DistillJob(config: c, data: DistillJobTests.digits, log: nil)
        var epochs: [DistillEpochSummary] = [], slices: [[[Float]]] = []
        job.run { e in
            epochs.append(e)
            slices.append(job.net.studentTensors().map(\.tensor.array))
        }
        var best = 0
        for i in 1..<epochs.count {
            let (a, l) = (epochs[i].studentHeldOutAccuracy!, epochs[i].studentHeldOutLoss!)
            let (ba, bl) = (epochs[best].studentHeldOutAccuracy!, epochs[best].studentHeldOutLoss!)
            if a > ba || (a == ba && l < bl) { best = i }
        }
        let k = try XCTUnwrap(job.kept)
        XCTAssertEqual(k.epoch, epochs[best].epoch)
        XCTAssertEqual(epochs.last?.keptEpoch, k.epoch)
        let s = job.summary
        XCTAssertEqual(s.keptEpoch, k.epoch)
        XCTAssertEqual(s.studentTestAccuracy, Double(epochs[best].studentTestAccuracy))
        XCTAssertEqual(s.studentTrainAccuracy, Double(epochs[best].studentTrainAccuracy))
        XCTAssertEqual(s.lastStudentTestAccuracy, Double(epochs.last!.studentTestAccuracy))
        XCTAssertEqual(s.bestStudentTestAccuracy!, Double(epochs.map(\.studentTestAccuracy).max()!), accuracy: 1e-6)

        let url = root.appendingPathComponent("student.safetensors")
        try job.saveStudent(to: url)
        let file = try SafeTensors.read(url)
        for (i, t) in job.net.studentTensors().enumerated() {
            XCTAssertEqual(file[t.name]?.array, slices[best][i], "export of \(t.name) is the kept epoch's")
        }
        XCTAssertEqual(file.metadata["kept_epoch"], "\(k.epoch)")
    }

    private func gunzipLines(_ path: String) throws -> [String] {
        let bytes = try GzipReader.inflate(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
