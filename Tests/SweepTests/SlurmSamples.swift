import Foundation
import Sweep

/// Outputs captured from Debian's Slurm 22.05 (tests/slurm-samples/capture.sh): job 9, a
/// 4-task array throttled to 2; task 0 requeued mid-run and released, task 3 exits 1.
enum SlurmSamples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../tests/slurm-samples/22.05").standardized

    static func text(_ name: String) -> String {
        guard let d = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
            fatalError("missing sample \(name) in \(folder.path)")
        }
        return String(decoding: d, as: UTF8.self)
    }
    static let job = 9
}

/// Answers each command with a canned output and records what was asked.
final class CannedRunner: SlurmCommandRunning, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String: SlurmCommandOutput]
    private(set) var calls: [[String]] = []
    init(_ answers: [String: SlurmCommandOutput]) { self.answers = answers }

    func run(_ tool: String, _ arguments: [String]) throws -> SlurmCommandOutput {
        lock.lock(); defer { lock.unlock() }
        calls.append([tool] + arguments)
        guard let a = answers[tool] else { return SlurmCommandOutput(status: 127, stdout: "", stderr: "\(tool): no canned answer") }
        return a
    }
}
