import Foundation
import RetortCore

/// A new run's folder `<root>/<name>`: created exclusively (an existing folder is never
/// reused, so no run's config, metrics or TensorBoard files are ever overwritten or mixed),
/// locked with `RunLock` for the rest of the process, with `config.json` written into it.
///
/// An explicit name (`--name`) that exists is refused with one line; a generated name
/// (`<timestamp>-<parts>`) that exists — another run started in the same second, in this
/// process or another — gets the first free suffix `-2`, `-3`, …, decided by `mkdir` itself,
/// so any number of concurrent starts all get distinct folders. Resuming a run opens its
/// existing folder instead (see `CheckpointedJob.resumeRun`).
public enum RunFolder {
    /// Generated names try at most this many suffixes before giving up.
    static let maxSuffix = 10_000

    /// Creates the run folder — `name` when given, else one generated from `generated` (see
    /// `defaultName`) — takes its lock and writes `config.json`.
    public static func create(root: String, name: String?, generated parts: [String], config: some Encodable) throws -> URL {
        let url = try makeDirectory(root: root, name: name, generated: parts)
        return try open(url, config: config)
    }

    /// `create` with an explicit name.
    public static func create(root: String, name: String, config: some Encodable) throws -> URL {
        try create(root: root, name: name, generated: [], config: config)
    }

    /// Creates the run folder and runs `body` with it; when `body` throws (bad data, a bad
    /// option found late) the folder is removed again, so refused input leaves no run behind.
    public static func create<T>(root: String, name: String?, generated parts: [String], config: some Encodable,
                                 _ body: (URL) throws -> T) throws -> T {
        let url = try create(root: root, name: name, generated: parts, config: config)
        do { return try body(url) } catch {
            RunLock.release(url)
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// Takes the lock of a folder `makeDirectory` created and writes `config.json` (for a
    /// config that records the folder's final name).
    public static func open(_ url: URL, config: some Encodable) throws -> URL {
        try RunLock.hold(url)
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(enc.encode(config), to: url.appendingPathComponent("config.json"))
        return url
    }

    /// Creates the empty folder of a new run (see the type's description) and returns it.
    public static func makeDirectory(root: String, name: String?, generated parts: [String]) throws -> URL {
        if let name { return try makeDirectory(root: root, base: name, explicit: true) }
        return try makeDirectory(root: root, base: defaultName(parts), explicit: false)
    }

    /// Creates `<root>/<base>` exclusively; a generated (not `explicit`) `base` that exists
    /// gets the first free suffix `-2`, `-3`, ….
    public static func makeDirectory(root: String, base: String, explicit: Bool) throws -> URL {
        let first = URL(fileURLWithPath: root).appendingPathComponent(base)
        let parent = first.deletingLastPathComponent()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir), !isDir.boolValue {
            throw ConfigError("run folder \(first.path): \(parent.path) is a file, not a folder (give --runs a folder)")
        }
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("run folder \(first.path): cannot create it (\(error.localizedDescription))")
        }
        for n in 1...maxSuffix {
            let url = n == 1 ? first : parent.appendingPathComponent(first.lastPathComponent + "-\(n)")
            if mkdir(url.path, 0o755) == 0 { return url }
            let err = errno
            guard err == EEXIST else {
                throw ConfigError("run folder \(url.path): cannot create it (\(String(cString: strerror(err))))")
            }
            if explicit {
                let shown = displayPath(root: root, name: base)
                throw ConfigError("run folder \(shown) already exists: choose another --name or resume it with `retort resume \(shown)`")
            }
        }
        throw ConfigError("run folder \(first.path): \(maxSuffix) runs of that name exist already; choose a --name")
    }

    /// `<root>/<name>` as the user wrote the root (e.g. runs/NAME).
    static func displayPath(root: String, name: String) -> String {
        root.isEmpty ? name : (root.hasSuffix("/") ? root : root + "/") + name
    }

    /// `<timestamp>-<parts…>`, the timestamp to the second (`RETORT_TEST_RUN_STAMP` replaces
    /// it, so the end-to-end tests can start runs that collide whatever the clock says).
    public static func defaultName(_ parts: [String]) -> String {
        let stamp: String
        if let fixed = ProcessInfo.processInfo.environment["RETORT_TEST_RUN_STAMP"], !fixed.isEmpty {
            stamp = fixed
        } else {
            let f = DateFormatter(); f.dateFormat = "yyyyMMdd-HHmmss"; f.locale = Locale(identifier: "en_US_POSIX")
            stamp = f.string(from: Date())
        }
        return ([stamp] + parts).joined(separator: "-")
    }
}
