import Distill
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine
import XCTest

/// Channel sorting permutes every dependent tensor consistently: the network at the
/// teacher's widths computes the same function before and after.
final class ChannelSortTests: XCTestCase {
    func outputs(_ job: DistillJob, _ x: Tensor, width: WidthChoice, training: Bool) -> [Float] {
        job.model.setWidth(width)
        return job.model.forward(x, training: training).array
    }

    func batch(_ job: DistillJob, _ n: Int) -> Tensor {
        let d = job.data.test
        return d.batch(Array(0..<n)[...], sampleShape: job.model.inputShape).0
    }

    func check(_ c: DistillConfig, file: StaticString = #filePath, line: UInt = #line) throws {
        let job = try DistillJob(config: c, data: DistillJobTests.digits, log: nil)
        for _ in 0..<30 { job.step() }      // non-trivial weights, BN statistics and momentum
        let x = batch(job, 40)
        let teacher = job.net.teacher
        // (a training-mode pass updates the running statistics, so it goes first)
        let trainBefore = outputs(job, x, width: teacher, training: true)
        let evalBefore = outputs(job, x, width: teacher, training: false)
        let studentBefore = outputs(job, x, width: job.net.student, training: false)
        let sorted = job.net.sortChannels(optimizer: job.optimizer)
        XCTAssertFalse(sorted.isEmpty, "something was permuted", file: file, line: line)
        let evalAfter = outputs(job, x, width: teacher, training: false)
        let trainAfter = outputs(job, x, width: teacher, training: true)
        for (a, b) in zip(evalBefore, evalAfter) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a)), "eval mode", file: file, line: line) }
        for (a, b) in zip(trainBefore, trainAfter) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a)), "train mode", file: file, line: line) }
        // The student (first-k) changed: it now holds the most important channels.
        let studentAfter = outputs(job, x, width: job.net.student, training: false)
        XCTAssertNotEqual(studentBefore, studentAfter, file: file, line: line)
        // Sorting again is a no-op (already in order).
        XCTAssertTrue(job.net.sortChannels(optimizer: job.optimizer).isEmpty, file: file, line: line)
        // Training goes on fine after sorting (momentum buffers were permuted too).
        for _ in 0..<5 { XCTAssertTrue(job.step().studentLoss.isFinite, file: file, line: line) }
    }

    func testMLPSortPreservesTheTeacherFunction() throws {
        var c = DistillConfig.preset(.full)
        c.mlpHidden = [6, 5]; c.teacherWidth = [3]; c.threads = 1; c.lr = 0.05
        try check(c)
    }

    func testCNNSortPreservesTheTeacherFunctionPerWidthBN() throws {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.studentWidth = 0.25; c.teacherWidth = [2]; c.teacherExpand = [2]; c.threads = 1; c.lr = 0.05
        try check(c)
    }

    func testCNNSortPreservesTheTeacherFunctionSharedBN() throws {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.studentWidth = 0.25; c.teacherWidth = [2]; c.teacherExpand = [2]; c.threads = 1; c.lr = 0.05
        c.batchNorm = .recalibrate; c.optimizer = .adamw; c.lr = 0.003
        try check(c)
    }

    func testSortOrdersByImportance() throws {
        var c = DistillConfig.preset(.full)
        c.mlpHidden = [6]; c.teacherWidth = [4]; c.threads = 1
        let job = try DistillJob(config: c, data: DistillJobTests.digits, log: nil)
        for _ in 0..<10 { job.step() }
        job.net.sortChannels(optimizer: job.optimizer)
        let head = job.net.parameters.first { $0.name == "classifier.weight" }!
        let cols = head.shape[1]
        let imp = (0..<cols).map { u in (0..<head.shape[0]).reduce(0.0) { $0 + Double(abs(head.value[$1 * cols + u])) } }
        XCTAssertEqual(imp, imp.sorted(by: >))
    }

    /// Recalibration replaces the statistics of the evaluated width by the average batch
    /// statistics and is idempotent; other widths' statistics are left alone.
    func testRecalibrationIsIdempotentAndLocal() throws {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.studentWidth = 0.25; c.teacherWidth = [2]; c.threads = 1
        let job = try DistillJob(config: c, data: DistillJobTests.digits, log: nil)
        for _ in 0..<10 { job.step() }
        let bn = job.net.batchNorms.first { $0.name == "head_bn" }!.layer
        let full = bn.runningMean.array
        job.net.recalibrate(width: job.net.student, data: job.data.train, samples: 600)
        let a = bn.runningStatistics(width: 24).mean.array
        job.net.recalibrate(width: job.net.student, data: job.data.train, samples: 600)
        let b = bn.runningStatistics(width: 24).mean.array
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(u))) }
        XCTAssertEqual(bn.runningMean.array, full, "the teacher's (full-width) statistics are untouched")
    }
}
