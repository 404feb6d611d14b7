import XCTest
import Sweep

final class SlurmClientTests: XCTestCase {
    func ok(_ s: String) -> SlurmCommandOutput { SlurmCommandOutput(status: 0, stdout: s, stderr: "") }

    func testSubmitReadsTheParsableJobId() throws {
        let r = CannedRunner(["sbatch": ok(SlurmSamples.text("sbatch-parsable.txt"))])
        XCTAssertEqual(try SlurmClient(runner: r).submit(scriptFile: "/s/study.sbatch"), 9)
        XCTAssertEqual(r.calls, [["sbatch", "--parsable", "/s/study.sbatch"]])
        let fed = CannedRunner(["sbatch": ok("812;cluster2\n")])
        XCTAssertEqual(try SlurmClient(runner: fed).submit(scriptFile: "/x"), 812)
    }

    func testSbatchRefusalIsOneLineWithSlurmsReason() {
        let r = CannedRunner(["sbatch": SlurmCommandOutput(status: 1, stdout: "", stderr: SlurmSamples.text("sbatch-bad-partition.txt"))])
        XCTAssertThrowsError(try SlurmClient(runner: r).submit(scriptFile: "/x")) { e in
            XCTAssertEqual("\(e)", "sbatch failed (exit 1): Batch job submission failed: Invalid partition name specified")
        }
    }

    func testQueueAsksForEveryTaskInTheFixedFormat() throws {
        let r = CannedRunner(["squeue": ok(SlurmSamples.text("squeue-running.txt"))])
        XCTAssertEqual(try SlurmClient(runner: r).queue(job: 9).count, 4)
        XCTAssertEqual(r.calls, [["squeue", "-h", "-r", "-j", "9", "-o", "%i|%F|%K|%T|%r"]])
    }

    func testAJobSlurmForgotHasNoQueueRows() throws {
        let r = CannedRunner(["squeue": SlurmCommandOutput(status: 1, stdout: "", stderr: SlurmSamples.text("squeue-unknown-job.txt"))])
        XCTAssertEqual(try SlurmClient(runner: r).queue(job: 999999), [])
        let down = CannedRunner(["squeue": SlurmCommandOutput(status: 1, stdout: "", stderr: "squeue: error: Unable to contact slurm controller (connect failure)\n")])
        XCTAssertThrowsError(try SlurmClient(runner: down).queue(job: 9)) { e in
            XCTAssertEqual("\(e)", "squeue failed (exit 1): Unable to contact slurm controller (connect failure)")
        }
    }

    func testRequeueAndReleaseCommands() throws {
        let r = CannedRunner(["scontrol": ok("")])
        let c = SlurmClient(runner: r)
        try c.requeue(job: 9, task: 0)
        try c.release(job: 9, task: 0)
        XCTAssertEqual(r.calls, [["scontrol", "requeue", "9_0"], ["scontrol", "update", "JobId=9_0", "StartTime=now"]])
    }

    func testCompletionLogLocationFromTheConfig() throws {
        let r = CannedRunner(["scontrol": ok(SlurmSamples.text("scontrol-show-config.txt"))])
        XCTAssertEqual(try SlurmClient(runner: r).completionLog(), "/var/log/slurm/jobcomp.txt")
        let none = CannedRunner(["scontrol": ok("JobCompLoc              = (null)\nJobCompType             = jobcomp/none\n")])
        XCTAssertNil(try SlurmClient(runner: none).completionLog())
    }

    func testCompletionsOfOneJobFromTheLogFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jobcomp-\(UUID().uuidString).txt").path
        let other = "JobId=77 JobState=COMPLETED ArrayJobId=70 ArrayTaskId=0 ExitCode=0:0\n"
        try (other + SlurmSamples.text("jobcomp.txt")).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(SlurmClient.completions(job: 9, log: path).count, 5)
        XCTAssertEqual(SlurmClient.completions(job: 70, log: path).count, 1)
        XCTAssertEqual(SlurmClient.completions(job: 9, log: path + ".missing"), [])
    }

    func testMissingCommandsAskWhetherThisIsALoginNode() {
        let runner = SlurmProcessRunner(path: "/nonexistent-bin")
        XCTAssertThrowsError(try SlurmClient(runner: runner).submit(scriptFile: "/x")) { e in
            XCTAssertEqual("\(e)", "sbatch not found: is this a Slurm login node? (Slurm's client commands must be on PATH)")
        }
        XCTAssertThrowsError(try SlurmClient(runner: runner).queue(job: 1)) { e in
            XCTAssertTrue("\(e)".hasPrefix("squeue not found: is this a Slurm login node?"))
        }
    }

    func testProcessRunnerCapturesStatusStdoutAndStderr() throws {
        let r = try SlurmProcessRunner(path: "/usr/bin:/bin").run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(r, SlurmCommandOutput(status: 3, stdout: "out\n", stderr: "err\n"))
    }
}
