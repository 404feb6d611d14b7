import XCTest
import Sweep

final class SlurmRecordsTests: XCTestCase {
    func testSqueueRowsWhileTwoOfFourRun() throws {
        let rows = try SlurmQueueRow.parse(SlurmSamples.text("squeue-running.txt"))
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows.map(\.arrayJobID), [9, 9, 9, 9])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: rows.map { ($0.arrayTaskID!, $0.state) }),
                       [0: .running, 1: .running, 2: .pending, 3: .pending])
        XCTAssertEqual(rows.first { $0.arrayTaskID == 2 }?.reason, "JobArrayTaskLimit")
        XCTAssertEqual(rows.first { $0.arrayTaskID == 2 }?.jobID, "9_2")
    }

    func testSqueueRowsAfterARequeue() throws {
        let rows = try SlurmQueueRow.parse(SlurmSamples.text("squeue-requeued.txt"))
        let t0 = try XCTUnwrap(rows.first { $0.arrayTaskID == 0 })
        XCTAssertEqual(t0.state, .pending)
        XCTAssertEqual(t0.reason, "BeginTime")
    }

    func testSqueueLineWithoutTheFiveFieldsIsAnError() {
        XCTAssertThrowsError(try SlurmQueueRow.parse("9_0 RUNNING\n")) { e in
            XCTAssertEqual("\(e)", "squeue: unexpected line \"9_0 RUNNING\" (expected JOBID|ARRAY_JOB|TASK|STATE|REASON)")
        }
    }

    func testCompletionLogKeepsTheRequeueRecordAndTheFinalOnes() {
        let c = SlurmCompletion.parse(SlurmSamples.text("jobcomp.txt"))
        XCTAssertEqual(c.map(\.arrayTaskID), [0, 1, 2, 3, 0])
        XCTAssertEqual(c.map(\.state), [.pending, .completed, .completed, .failed, .completed])
        XCTAssertEqual(c[3].exitCode, "1:0")
        XCTAssertEqual(c[3].jobID, 9)
        XCTAssertEqual(Set(c.map(\.arrayJobID)), [9])
    }

    func testCompletionLogValuesWithSpacesAndAPartialLastLine() {
        let log = "JobId=5 UserId=a(1) Name=my job JobState=TIMEOUT WorkDir=/x y ArrayJobId=4 ArrayTaskId=1 ExitCode=0:15\nJobId=6 Job"
        let c = SlurmCompletion.parse(log)
        XCTAssertEqual(c, [SlurmCompletion(jobID: 5, arrayJobID: 4, arrayTaskID: 1, state: .timeout, exitCode: "0:15", endTime: "")])
        let kv = SlurmKeyValueLine(log.split(separator: "\n")[0])
        XCTAssertEqual(kv["Name"], "my job")
        XCTAssertEqual(kv["WorkDir"], "/x y")
    }

    func testScontrolShowJob() throws {
        let running = try SlurmJobInfo.parse(SlurmSamples.text("scontrol-running.txt"))
        XCTAssertEqual([running.arrayJobID, running.arrayTaskID, running.restarts], [9, 0, 0])
        XCTAssertEqual(running.state, .running)
        let requeued = try SlurmJobInfo.parse(SlurmSamples.text("scontrol-requeued.txt"))
        XCTAssertEqual(requeued.state, .pending)
        XCTAssertEqual(requeued.reason, "BeginTime")
        XCTAssertEqual(requeued.restarts, 1)
        XCTAssertEqual(requeued.jobID, running.jobID)
        let failed = try SlurmJobInfo.parse(SlurmSamples.text("scontrol-failed.txt"))
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.reason, "NonZeroExitCode")
        XCTAssertEqual(failed.exitCode, "1:0")
        XCTAssertEqual(failed.arrayTaskID, 3)
        XCTAssertTrue(failed.stdOut?.hasSuffix("/slurm-9_3.txt") == true)
    }

    func testStatesFromEveryCommandsSpelling() {
        XCTAssertEqual(SlurmJobState("CANCELLED by 0"), .cancelled)
        XCTAssertEqual(SlurmJobState("COMPLETING"), .running)
        XCTAssertEqual(SlurmJobState("OUT_OF_MEMORY"), .outOfMemory)
        XCTAssertEqual(SlurmJobState("WEIRD"), .other("WEIRD"))
        XCTAssertTrue(SlurmJobState("TIMEOUT").isFailure)
        XCTAssertFalse(SlurmJobState("COMPLETED").isFailure)
        XCTAssertTrue(SlurmJobState("REQUEUED").isWaiting)
    }
}
