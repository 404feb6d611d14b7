import RunKit

/// One row of `squeue -h -r -o '%i|%F|%K|%T|%r'` (SlurmClient.queueFormat): job id as shown,
/// array job id, array task id (nil for a job that is not an array task), state, reason.
public struct SlurmQueueRow: Sendable, Equatable {
    public let jobID: String
    public let arrayJobID: Int
    public let arrayTaskID: Int?
    public let state: SlurmJobState
    public let reason: String

    /// Parses squeue's output; lines that do not have the five fields are an error naming them.
    public static func parse(_ output: String) throws -> [SlurmQueueRow] {
        try output.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count == 5, let array = Int(f[1]) else {
                throw ConfigError("squeue: unexpected line \"\(line.prefix(120))\" (expected JOBID|ARRAY_JOB|TASK|STATE|REASON)")
            }
            return SlurmQueueRow(jobID: String(f[0]), arrayJobID: array, arrayTaskID: Int(f[2]),
                                 state: SlurmJobState(String(f[3])), reason: String(f[4]))
        }
    }
}

/// One record of the jobcomp/filetxt completion log: written when a job or array task ends,
/// and also when a running task is requeued (then with JobState=PENDING).
public struct SlurmCompletion: Sendable, Equatable {
    public let jobID: Int
    public let arrayJobID: Int?
    public let arrayTaskID: Int?
    public let state: SlurmJobState
    /// "exit:signal", e.g. "1:0".
    public let exitCode: String
    public let endTime: String

    public init(jobID: Int, arrayJobID: Int?, arrayTaskID: Int?, state: SlurmJobState, exitCode: String, endTime: String) {
        self.jobID = jobID; self.arrayJobID = arrayJobID; self.arrayTaskID = arrayTaskID; self.state = state
        self.exitCode = exitCode; self.endTime = endTime
    }

    /// Parses the log's lines in order; lines without JobId and JobState are skipped (the log
    /// may be appended to while it is read, so its last line can be partial).
    public static func parse(_ log: String) -> [SlurmCompletion] {
        log.split(separator: "\n").compactMap { line in
            let kv = SlurmKeyValueLine(line)
            guard let id = kv["JobId"].flatMap({ Int($0) }), let state = kv["JobState"] else { return nil }
            let array = kv["ArrayJobId"].flatMap { Int($0) }.flatMap { $0 == 0 ? nil : $0 }
            let task = kv["ArrayTaskId"].flatMap { Int($0) }
            return SlurmCompletion(jobID: id, arrayJobID: array, arrayTaskID: array == nil ? nil : task,
                                   state: SlurmJobState(state), exitCode: kv["ExitCode"] ?? "", endTime: kv["EndTime"] ?? "")
        }
    }
}

/// What `scontrol show job -o JOB_TASK` says about one job or array task.
public struct SlurmJobInfo: Sendable, Equatable {
    public let jobID: Int
    public let arrayJobID: Int?
    public let arrayTaskID: Int?
    public let state: SlurmJobState
    public let reason: String
    /// How often the task was requeued (SLURM_RESTART_COUNT in the task).
    public let restarts: Int
    public let exitCode: String
    public let stdOut: String?

    public static func parse(_ output: String) throws -> SlurmJobInfo {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("JobId=") }) else {
            throw ConfigError("scontrol: no job in its answer (\"\(output.prefix(120))\")")
        }
        let kv = SlurmKeyValueLine(line)
        guard let id = kv["JobId"].flatMap({ Int($0) }), let state = kv["JobState"] else {
            throw ConfigError("scontrol: unexpected answer \"\(line.prefix(120))\" (expected JobId=… JobState=…)")
        }
        return SlurmJobInfo(jobID: id, arrayJobID: kv["ArrayJobId"].flatMap { Int($0) }, arrayTaskID: kv["ArrayTaskId"].flatMap { Int($0) },
                            state: SlurmJobState(state), reason: kv["Reason"] ?? "", restarts: kv["Restarts"].flatMap { Int($0) } ?? 0,
                            exitCode: kv["ExitCode"] ?? "", stdOut: kv["StdOut"])
    }
}
