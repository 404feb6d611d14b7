import XCTest
import Sweep

final class SlurmQueueStateTests: XCTestCase {
    typealias P = SlurmPointProgress

    func states(_ s: [SlurmTaskStatus]) -> [SlurmTaskStatus.State] { s.map(\.state) }

    func testWhileTwoRunAndTwoWait() throws {
        let points = (0..<4).map { P(index: $0, state: $0 < 2 ? .running : .pending) }
        let s = SlurmQueueState.merge(points: points, chunk: 1, job: 9,
                                      queue: try SlurmQueueRow.parse(SlurmSamples.text("squeue-running.txt")), completions: [])
        XCTAssertEqual(states(s), [.running, .running, .queued, .queued])
        XCTAssertEqual(s[2].detail, "pending (JobArrayTaskLimit); 0/1 points finished")
        XCTAssertEqual(s[0].points, 0..<1)
    }

    func testARequeuedTaskIsQueuedAgainNotFailed() throws {
        let comp = Array(SlurmCompletion.parse(SlurmSamples.text("jobcomp.txt")).prefix(1))  // task 0's requeue record
        let points = (0..<4).map { P(index: $0, state: $0 == 0 ? .running : .pending) }
        let s = SlurmQueueState.merge(points: points, chunk: 1, job: 9,
                                      queue: try SlurmQueueRow.parse(SlurmSamples.text("squeue-requeued.txt")), completions: comp)
        XCTAssertEqual(s[0].state, .queued)
        XCTAssertEqual(s[0].detail, "requeued, pending (BeginTime); 0/1 points finished")
        XCTAssertEqual(states(s), [.queued, .running, .running, .queued])
    }

    func testAfterTheJobEndedTheManifestAndCompletionLogDecide() {
        // the final state of job 9: tasks 0–2 finished their points, task 3 exited 1
        let comp = SlurmCompletion.parse(SlurmSamples.text("jobcomp.txt"))
        let points = (0..<4).map { P(index: $0, state: $0 < 3 ? .finished : .running, lastLogLine: $0 == 3 ? "epoch 2/5 loss 0.41" : nil) }
        let s = SlurmQueueState.merge(points: points, chunk: 1, job: 9, queue: [], completions: comp)
        XCTAssertEqual(states(s), [.finished, .finished, .finished, .failed])
        XCTAssertEqual(s[3].detail, "FAILED (exit 1:0); 0/1 points finished: epoch 2/5 loss 0.41")
    }

    func testChunksAndFailedPointsAndTasksThatLeftWithoutARecord() {
        // 5 points in chunks of 2: tasks cover 0..<2, 2..<4, 4..<5
        let points = [P(index: 0, state: .finished), P(index: 1, state: .finished),
                      P(index: 2, state: .finished), P(index: 3, state: .failed, lastLogLine: "retort: diverged at step 40"),
                      P(index: 4, state: .running)]
        let s = SlurmQueueState.merge(points: points, chunk: 2, job: 3, queue: [], completions: [],
                                      taskLogLastLine: { $0 == 2 ? "slurmstepd: error: *** JOB 5 CANCELLED ***" : nil })
        XCTAssertEqual(s.map(\.points), [0..<2, 2..<4, 4..<5])
        XCTAssertEqual(states(s), [.finished, .failed, .failed])
        XCTAssertEqual(s[1].detail, "point 3 failed: retort: diverged at step 40")
        XCTAssertEqual(s[2].detail, "not in the queue with 0/1 points finished: slurmstepd: error: *** JOB 5 CANCELLED ***")
    }

    func testATaskStillRunningWhosePointsAreWrittenIsRunning() throws {
        let rows = try SlurmQueueRow.parse("9_0|9|0|COMPLETING|None\n7_0|7|0|PENDING|Priority\n")
        let s = SlurmQueueState.merge(points: [P(index: 0, state: .finished)], chunk: 1, job: 9, queue: rows, completions: [])
        XCTAssertEqual(s, [SlurmTaskStatus(task: 0, points: 0..<1, state: .running, detail: "1/1 points finished")])
    }

    func testCompletedTaskWithUnfinishedPointsFailed() {
        let c = [SlurmCompletion(jobID: 4, arrayJobID: 4, arrayTaskID: 0, state: .completed, exitCode: "0:0", endTime: "")]
        let s = SlurmQueueState.merge(points: [P(index: 0, state: .finished), P(index: 1, state: .pending)], chunk: 2, job: 4,
                                      queue: [], completions: c)
        XCTAssertEqual(s.map(\.detail), ["task ended with 1/2 points finished"])
        XCTAssertEqual(states(s), [.failed])
    }

    func testTaskLogLastLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = SlurmTaskLog.path(studyFolder: dir.path, job: 12, task: 3)
        XCTAssertTrue(path.hasSuffix("/logs/slurm-12_3.txt"))
        try (String(repeating: "x\n", count: 5000) + "last words\n\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(SlurmTaskLog.lastLine(of: path), "last words")
        XCTAssertNil(SlurmTaskLog.lastLine(of: path + ".none"))
    }
}
