import Foundation
import Workbench
import XCTest

/// A job that counts: enough to check the runner's command semantics exactly.
final class CountingJob: SteppableJob {
    struct Snap: Sendable { let state: JobState; let count: Int; let messages: [JobMessage]; let factor: Int }
    var count = 0, limit: Int, factor = 1
    var failAt: Int?
    init(limit: Int) { self.limit = limit }
    var isFinished: Bool { count >= limit }
    var progress: Int { count }
    func advance() throws {
        if count == failAt { throw JobFailure("boom at \(count)") }
        count += 1
        usleep(200)
    }
    func handle(_ c: JobCommand) throws -> String {
        guard case .set(let name, let value) = c else { return "saved" }
        guard name == "factor", let v = Int(value), v > 0 else { throw JobFailure("factor: must be a positive integer, got \(value)") }
        factor = v
        return "factor → \(v)"
    }
    func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> Snap { Snap(state: state, count: count, messages: messages, factor: factor) }
}

final class JobRunnerTests: XCTestCase {
    func waitFor(_ runner: JobRunner<CountingJob>, timeout: Double = 10, _ cond: (CountingJob.Snap) -> Bool) -> CountingJob.Snap {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end { let s = runner.snapshot; if cond(s) { return s }; usleep(2000) }
        XCTFail("condition not reached; last snapshot \(runner.snapshot)")
        return runner.snapshot
    }

    func testPausedStartStepsExactlyAndResumes() {
        let runner = JobRunner(job: CountingJob(limit: 1_000_000), startPaused: true)
        runner.start()
        usleep(50_000)
        XCTAssertEqual(runner.snapshot.count, 0, "paused jobs do not advance")
        runner.send(.step(3))
        let s = waitFor(runner) { $0.count == 3 && $0.state == .paused }
        usleep(50_000)
        XCTAssertEqual(runner.snapshot.count, 3, "exactly three steps, then paused again")
        XCTAssertEqual(s.state, .paused)
        runner.send(.resume)
        _ = waitFor(runner) { $0.count > 50 && $0.state == .running }
        runner.send(.pause)
        let p = waitFor(runner) { $0.state == .paused }
        usleep(50_000)
        XCTAssertEqual(runner.snapshot.count, p.count, "no steps after pause")
        runner.send(.stop); runner.waitUntilDone()
    }

    func testCommandsApplyBetweenStepsAndErrorsBecomeMessages() {
        let runner = JobRunner(job: CountingJob(limit: 1_000_000), startPaused: true)
        runner.start()
        runner.send(.set(name: "factor", value: "4"))
        runner.send(.set(name: "factor", value: "-2"))
        let s = waitFor(runner) { $0.messages.count >= 2 }
        XCTAssertEqual(s.factor, 4)
        XCTAssertEqual(s.messages.map(\.text), ["factor → 4", "factor: must be a positive integer, got -2"])
        XCTAssertEqual(s.messages.map(\.level), [.info, .error])
        runner.send(.stop); runner.waitUntilDone()
    }

    func testFinishesAndFails() {
        let done = JobRunner(job: CountingJob(limit: 20))
        done.start()
        XCTAssertEqual(waitFor(done) { $0.state == .finished }.count, 20)
        done.send(.stop); done.waitUntilDone()

        let job = CountingJob(limit: 100); job.failAt = 7
        let failing = JobRunner(job: job)
        failing.start(); failing.waitUntilDone()
        XCTAssertEqual(failing.snapshot.state, .failed)
        XCTAssertEqual(failing.snapshot.messages.last?.text, "boom at 7")
        XCTAssertEqual(failing.snapshot.count, 7)
    }
}

final class DownsampledSeriesTests: XCTestCase {
    func testMemoryStaysFlatAndBucketsSummariseExactly() {
        var s = DownsampledSeries(name: "loss", capacity: 64)
        for i in 0..<100_000 { s.append(x: Double(i), Double(i % 10)) }
        XCTAssertLessThanOrEqual(s.buckets.count, 64)
        XCTAssertEqual(s.total, 100_000)
        XCTAssertEqual(s.buckets.reduce(0) { $0 + $1.count }, 100_000)
        XCTAssertEqual(s.yRange, 0...9)
        XCTAssertEqual(s.buckets.reduce(0) { $0 + $1.sum } / Double(s.total), 4.5, accuracy: 1e-9)
        XCTAssertEqual(s.xRange, 0...99_999)
        XCTAssertEqual(s.last, 9)
    }

    func testNonFiniteValuesAreCountedButNotPlotted() {
        var s = DownsampledSeries(name: "x", capacity: 4)
        s.append(x: 0, 1); s.append(x: 1, .nan); s.append(x: 2, .infinity); s.append(x: 3, 2)
        XCTAssertEqual(s.total, 4)
        XCTAssertEqual(s.buckets.map(\.mean), [1, 2])
    }
}
