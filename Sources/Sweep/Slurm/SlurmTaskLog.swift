import Foundation

/// A task's Slurm log (`--output=<study>/logs/slurm-%A_%a.txt`).
public enum SlurmTaskLog {
    public static func path(studyFolder: String, job: Int, task: Int) -> String {
        (studyFolder.hasSuffix("/") ? studyFolder : studyFolder + "/") + "logs/slurm-\(job)_\(task).txt"
    }

    /// The file's last non-empty line (read from its last 4 KiB), or nil.
    public static func lastLine(of path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map(String.init)
    }
}
