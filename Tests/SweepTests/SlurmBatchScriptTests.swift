import XCTest
import Sweep

final class SlurmBatchScriptTests: XCTestCase {
    func testScriptForAChunkedThrottledArray() throws {
        let o = try SlurmArrayOptions(partition: "debug", time: "90", cpusPerTask: 2, maxParallel: 3, jobName: "lr-sweep")
        let s = try SlurmBatchScript(studyFile: "/shared/studies/lr.yaml", studyFolder: "/shared/studies/lr/",
                                     retortPath: "/shared/bin/retort", points: 10, chunk: 3, options: o)
        XCTAssertEqual(s.taskCount, 4)
        XCTAssertEqual(s.text, """
            #!/bin/bash
            #SBATCH --array=0-3%3
            #SBATCH --job-name=lr-sweep
            #SBATCH --partition=debug
            #SBATCH --time=0-01:30:00
            #SBATCH --cpus-per-task=2
            #SBATCH --output=/shared/studies/lr/logs/slurm-%A_%a.txt
            #SBATCH --requeue
            #SBATCH --open-mode=append
            # task K runs points K*3 ..< (K+1)*3 of 10; threads come from SLURM_CPUS_PER_TASK
            exec /shared/bin/retort sweep run /shared/studies/lr.yaml --task "$SLURM_ARRAY_TASK_ID" --chunk 3

            """)
    }

    func testDefaultsLeaveOutPartitionTimeAndThrottleAndQuotePaths() throws {
        let o = try SlurmArrayOptions(jobName: "s")
        let s = try SlurmBatchScript(studyFile: "/home/a b/it's.yaml", studyFolder: "/home/ab/s", retortPath: "/opt/retort",
                                     points: 1, chunk: 1, options: o)
        XCTAssertEqual(s.taskCount, 1)
        XCTAssertTrue(s.text.contains("#SBATCH --array=0-0\n"))
        XCTAssertFalse(s.text.contains("--partition"))
        XCTAssertFalse(s.text.contains("--time"))
        XCTAssertTrue(s.text.contains("#SBATCH --cpus-per-task=1\n"))
        XCTAssertTrue(s.text.contains("exec /opt/retort sweep run '/home/a b/it'\\''s.yaml' --task"), s.text)
    }

    func testBadOptionsAreOneLineEach() {
        func message(_ f: () throws -> Any) -> String {
            do { _ = try f(); return "accepted" } catch { return "\(error)" }
        }
        let o = try! SlurmArrayOptions(jobName: "s")
        XCTAssertEqual(message { try SlurmArrayOptions(cpusPerTask: 0, jobName: "s") }, "--cpus-per-task: 0 is not positive (an integer ≥ 1)")
        XCTAssertTrue(message { try SlurmArrayOptions(maxParallel: -1, jobName: "s") }.hasPrefix("--max-parallel: -1 is not positive"))
        XCTAssertTrue(message { try SlurmArrayOptions(partition: "a b", jobName: "s") }.hasPrefix("--partition: \"a b\" is not a Slurm name"))
        XCTAssertTrue(message { try SlurmArrayOptions(jobName: "x\n#SBATCH --x") }.hasPrefix("--job-name: "))
        XCTAssertTrue(message { try SlurmArrayOptions(time: "soon", jobName: "s") }.hasPrefix("--time: \"soon\" is not a Slurm time limit"))
        XCTAssertEqual(message { try SlurmBatchScript(studyFile: "s.yaml", studyFolder: "/s", retortPath: "/r", points: 1, chunk: 1, options: o) },
                       "study file: s.yaml: not an absolute path (compute nodes need the full path on the shared file system)")
        XCTAssertTrue(message { try SlurmBatchScript(studyFile: "/s.yaml", studyFolder: "/a b", retortPath: "/r", points: 1, chunk: 1, options: o) }
                        .hasPrefix("study folder: /a b: contains a space"))
        XCTAssertTrue(message { try SlurmBatchScript(studyFile: "/s.yaml", studyFolder: "/a%b", retortPath: "/r", points: 1, chunk: 1, options: o) }
                        .hasPrefix("study folder: /a%b: contains \"%\""))
        XCTAssertEqual(message { try SlurmBatchScript(studyFile: "/s.yaml", studyFolder: "/s", retortPath: "/r", points: 4, chunk: 0, options: o) },
                       "--chunk: 0 is not positive (an integer ≥ 1)")
        XCTAssertEqual(message { try SlurmBatchScript(studyFile: "/s.yaml", studyFolder: "/s", retortPath: "/r", points: 0, chunk: 1, options: o) },
                       "study: no points to submit (at least 1)")
    }
}
