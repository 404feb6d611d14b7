import Foundation
import RunKit

/// What one Slurm client command printed.
public struct SlurmCommandOutput: Sendable, Equatable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status; self.stdout = stdout; self.stderr = stderr
    }
}

/// Runs a Slurm client command (sbatch, squeue, scontrol) by name; tests answer with outputs
/// captured from a real Slurm.
public protocol SlurmCommandRunning: Sendable {
    func run(_ tool: String, _ arguments: [String]) throws -> SlurmCommandOutput
}

/// Runs the commands found on PATH.
public struct SlurmProcessRunner: SlurmCommandRunning {
    let path: String
    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        self.path = path ?? "/usr/bin:/bin"
    }

    /// The executable for `tool` on PATH, or nil.
    public func locate(_ tool: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    public func run(_ tool: String, _ arguments: [String]) throws -> SlurmCommandOutput {
        guard let exe = locate(tool) else {
            throw ConfigError("\(tool) not found: is this a Slurm login node? (Slurm's client commands must be on PATH)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        p.standardInput = FileHandle.nullDevice
        // stderr goes to a file so that neither pipe can fill up while the other is read
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("retort-slurm-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errURL.path, contents: nil),
              let errFile = try? FileHandle(forWritingTo: errURL) else {
            throw ConfigError("\(tool): cannot create a temporary file in \(errURL.deletingLastPathComponent().path)")
        }
        defer { try? errFile.close(); try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errFile
        do { try p.run() } catch { throw ConfigError("\(tool): cannot run \(exe) (\(error.localizedDescription))") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return SlurmCommandOutput(status: p.terminationStatus, stdout: String(decoding: data, as: UTF8.self),
                                  stderr: String(decoding: err, as: UTF8.self))
    }
}
