import Foundation
import RunKit

/// The sbatch script for a study: one job array whose task K runs
/// `retort sweep run STUDY --task K --chunk C`, i.e. points K·C ..< (K+1)·C, on the shared
/// study folder. Tasks are requeueable and append to their log so a requeued task's log keeps
/// the first attempt.
public struct SlurmBatchScript: Sendable, Equatable {
    public let text: String
    /// Array tasks: ⌈points / chunk⌉.
    public let taskCount: Int

    /// - Parameters:
    ///   - studyFile: absolute path of the study file (the compute nodes read it).
    ///   - studyFolder: absolute path of the study's folder; logs go to `logs/` in it.
    ///   - retortPath: absolute path of the retort binary the tasks run.
    ///   - points: the study's point count; chunk: points per task.
    public init(studyFile: String, studyFolder: String, retortPath: String,
                points: Int, chunk: Int, options: SlurmArrayOptions, studyRoot: String? = nil) throws {
        try Self.checkPath(studyFile, field: "study file")
        try Self.checkPath(retortPath, field: "retort binary")
        try Self.checkPath(studyFolder, field: "study folder")
        if let studyRoot { try Self.checkPath(studyRoot, field: "study root") }
        // --output is read by sbatch from the #SBATCH line: no quoting, and % starts a pattern
        if let c = studyFolder.first(where: { " \t\"'%\\".contains($0) }) {
            throw ConfigError("study folder: \(studyFolder): contains \(c == " " ? "a space" : "\"\(c)\""), which an #SBATCH --output line cannot carry (a path without spaces, quotes, % or \\)")
        }
        guard points >= 1 else { throw ConfigError("study: no points to submit (at least 1)") }
        guard chunk >= 1 else { throw ConfigError("--chunk: \(chunk) is not positive (an integer ≥ 1)") }
        let tasks = (points + chunk - 1) / chunk
        guard tasks <= 1_000_000 else {
            throw ConfigError("--chunk: \(points) points in chunks of \(chunk) make \(tasks) array tasks (at most 1000000; raise --chunk)")
        }
        taskCount = tasks
        let folder = studyFolder.hasSuffix("/") && studyFolder.count > 1 ? String(studyFolder.dropLast()) : studyFolder
        var lines = ["#!/bin/bash"]
        lines.append("#SBATCH --array=0-\(tasks - 1)" + (options.maxParallel.map { "%\($0)" } ?? ""))
        lines.append("#SBATCH --job-name=\(options.jobName)")
        if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = options.time { lines.append("#SBATCH --time=\(t)") }
        lines.append("#SBATCH --cpus-per-task=\(options.cpusPerTask)")
        lines.append("#SBATCH --output=\(folder)/logs/slurm-%A_%a.txt")
        lines.append("#SBATCH --requeue")
        lines.append("#SBATCH --open-mode=append")
        lines.append("# task K runs points K*\(chunk) ..< (K+1)*\(chunk) of \(points); threads come from SLURM_CPUS_PER_TASK")
        lines.append("exec \(Self.shellQuoted(retortPath)) sweep run \(Self.shellQuoted(studyFile)) --task \"$SLURM_ARRAY_TASK_ID\" --chunk \(chunk)" + (studyRoot.map { " --root " + Self.shellQuoted($0) } ?? ""))
        text = lines.joined(separator: "\n") + "\n"
    }

    static func checkPath(_ path: String, field: String) throws {
        guard path.hasPrefix("/") else {
            throw ConfigError("\(field): \(path): not an absolute path (compute nodes need the full path on the shared file system)")
        }
        guard !path.contains("\n"), !path.contains("\0") else {
            throw ConfigError("\(field): path contains a newline or NUL (a path without them)")
        }
    }

    /// Single-quoted for /bin/bash unless it needs no quoting.
    static func shellQuoted(_ s: String) -> String {
        let plain = s.unicodeScalars.allSatisfy { CharacterSetASCII.alnum($0) || "/._+-=:,@".unicodeScalars.contains($0) }
        return plain && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
