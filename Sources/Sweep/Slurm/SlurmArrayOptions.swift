import RunKit

/// What `retort sweep FILE --slurm` passes to `sbatch` for the study's job array, validated:
/// partition and job name as Slurm names, a time limit, positive CPU and parallelism counts.
public struct SlurmArrayOptions: Sendable, Equatable {
    /// nil: the cluster's default partition.
    public let partition: String?
    /// nil: the partition's default limit.
    public let time: SlurmTimeLimit?
    public let cpusPerTask: Int
    /// At most this many tasks run at once (`--array=…%K`); nil: no limit.
    public let maxParallel: Int?
    public let jobName: String

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1,
                maxParallel: Int? = nil, jobName: String) throws {
        if let partition { try Self.checkName(partition, field: "--partition") }
        try Self.checkName(jobName, field: "--job-name")
        guard cpusPerTask >= 1 else {
            throw ConfigError("--cpus-per-task: \(cpusPerTask) is not positive (an integer ≥ 1)")
        }
        if let maxParallel, maxParallel < 1 {
            throw ConfigError("--max-parallel: \(maxParallel) is not positive (an integer ≥ 1, or leave it out for no limit)")
        }
        self.partition = partition
        self.time = try time.map { try SlurmTimeLimit(parsing: $0) }
        self.cpusPerTask = cpusPerTask
        self.maxParallel = maxParallel
        self.jobName = jobName
    }

    /// Slurm names go on `#SBATCH` lines unquoted: letters, digits and `_ . + -`, at most 128.
    static func checkName(_ name: String, field: String) throws {
        let ok = !name.isEmpty && name.count <= 128
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetASCII.alnum($0) || "_.+-".unicodeScalars.contains($0)) }
            && !name.hasPrefix("-")
        guard ok else {
            throw ConfigError("\(field): \"\(name)\" is not a Slurm name (letters, digits and _ . + -, at most 128, not starting with -)")
        }
    }
}

enum CharacterSetASCII {
    static func alnum(_ u: Unicode.Scalar) -> Bool {
        (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9")
    }
}
