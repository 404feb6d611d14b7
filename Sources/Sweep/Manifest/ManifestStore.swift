import Foundation
import RetortCore
import RunKit

/// Reads and updates a study folder's manifest. Every update holds an exclusive `flock` on
/// `manifest.lock` (local workers, `sweep run` tasks and threads each open the lock file, so
/// they exclude each other) and replaces `manifest.json` atomically (temporary file + rename):
/// a reader sees the old or the new manifest, never a torn one.
public struct ManifestStore: Sendable {
    public let folder: URL
    public init(folder: URL) { self.folder = folder }

    public var manifestURL: URL { folder.appendingPathComponent("manifest.json") }
    var lockURL: URL { folder.appendingPathComponent("manifest.lock") }

    /// The manifest as it is now (read under the lock).
    public func read() throws -> Manifest {
        try locked { try load() }
    }

    /// Runs `body` on the manifest under the lock and writes the result back.
    @discardableResult
    public func update<T>(_ body: (inout Manifest) throws -> T) throws -> T {
        try locked {
            var m = try load()
            let r = try body(&m)
            try store(m)
            return r
        }
    }

    /// Writes a new manifest (a new study folder).
    public func create(_ m: Manifest) throws {
        try locked { try store(m) }
    }

    func load() throws -> Manifest {
        guard let d = FileManager.default.contents(atPath: manifestURL.path) else {
            throw ConfigError("\(manifestURL.path): cannot read the study's manifest")
        }
        do { return try JSONDecoder().decode(Manifest.self, from: d) } catch {
            throw ConfigError("\(manifestURL.path): not a study manifest (\(error.localizedDescription))")
        }
    }

    func store(_ m: Manifest) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text = String(decoding: try e.encode(m), as: UTF8.self) + "\n"
        try AtomicFile.write(text, to: manifestURL)
    }

    /// Runs `body` holding an exclusive lock on `manifest.lock`.
    public func locked<T>(_ body: () throws -> T) throws -> T { try withLock(at: lockURL, body) }

    func withLock<T>(at lockURL: URL, _ body: () throws -> T) throws -> T {
        let fd = open(lockURL.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConfigError("\(lockURL.path): cannot open the manifest lock (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ConfigError("\(lockURL.path): cannot lock the manifest (\(String(cString: strerror(errno))))") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
