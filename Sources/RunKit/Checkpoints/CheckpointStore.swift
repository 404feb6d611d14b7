import Foundation
import RetortCore

/// The `checkpoints/` folder of a run: `step-00000123.ckpt` files, each written atomically
/// (temporary file, fsync, rename, fsync of the folder), and `latest`, a pointer file
/// naming the newest one (also written atomically). The newest `keep` are kept.
///
/// Readers try `latest` first, then every other checkpoint from the newest step down, so
/// a lost pointer or a corrupt file costs at most one checkpoint interval. Temporary files
/// left by a process killed mid-write (`.step-….ckpt.tmp-PID`) are ignored and removed by
/// `removeTemporaries()`.
///
/// Test hook: with `RETORT_TEST_KILL_IN_CHECKPOINT=N` the process kills itself (SIGKILL)
/// during its N-th checkpoint write, after the temporary file is complete and before the
/// rename — the worst moment for a crash.
public struct CheckpointStore: Sendable {
    public let directory: URL
    public let keep: Int

    public init(runFolder: URL, keep: Int = 3) {
        directory = runFolder.appendingPathComponent("checkpoints")
        self.keep = max(1, keep)
    }

    public static func fileName(step: Int) -> String { String(format: "step-%08d.ckpt", step) }

    /// Step of a checkpoint file name, nil for anything else (pointer, temporaries, set-aside files).
    public static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".ckpt") else { return nil }
        return Int(name.dropFirst(5).dropLast(5))
    }

    nonisolated(unsafe) static var writes = 0
    static let killAt = ProcessInfo.processInfo.environment["RETORT_TEST_KILL_IN_CHECKPOINT"].flatMap { Int($0) }

    /// Writes `data` as the checkpoint of `step`, points `latest` at it and deletes the
    /// oldest beyond `keep`. Throws one line naming the file; earlier checkpoints are untouched.
    @discardableResult
    public func write(_ data: Data, step: Int) throws -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError("\(directory.path): cannot create the checkpoints folder (\(Self.reason(error)))")
        }
        let url = directory.appendingPathComponent(Self.fileName(step: step))
        Self.writes += 1
        let hook: (() -> Void)? = Self.killAt == Self.writes ? { kill(getpid(), SIGKILL) } : nil
        do {
            try AtomicFile.write(data, to: url, beforeRename: hook)
            try AtomicFile.write(Data((url.lastPathComponent + "\n").utf8), to: directory.appendingPathComponent("latest"))
        } catch {
            throw CheckpointError("\(Self.reason(error))")
        }
        prune()
        return url
    }

    /// Checkpoint files, newest first: the one `latest` names, then the others by step.
    public func candidates() -> [URL] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .compactMap { n in Self.step(ofFileName: n).map { (n, $0) } }
            .sorted { $0.1 > $1.1 }.map(\.0)
        var out = names
        if let p = try? String(contentsOf: directory.appendingPathComponent("latest"), encoding: .utf8),
           case let name = p.trimmingCharacters(in: .whitespacesAndNewlines), let i = out.firstIndex(of: name) {
            out.remove(at: i); out.insert(name, at: 0)
        }
        return out.map { directory.appendingPathComponent($0) }
    }

    /// Deletes temporaries of interrupted writes; returns their names.
    @discardableResult
    public func removeTemporaries() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter(AtomicFile.isTemporary)
        for n in names { try? FileManager.default.removeItem(at: directory.appendingPathComponent(n)) }
        return names
    }

    /// Moves a checkpoint that failed to load out of the way (`….ckpt.corrupt`), so that it
    /// is neither loaded nor counted, but kept for a look.
    public func setAside(_ url: URL) {
        let dst = url.appendingPathExtension("corrupt")
        try? FileManager.default.removeItem(at: dst)
        try? FileManager.default.moveItem(at: url, to: dst)
    }

    func prune() {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .compactMap { n in Self.step(ofFileName: n).map { (n, $0) } }.sorted { $0.1 > $1.1 }
        for (n, _) in all.dropFirst(keep) { try? FileManager.default.removeItem(at: directory.appendingPathComponent(n)) }
    }

    static func reason(_ e: Error) -> String {
        if let w = e as? AtomicFile.WriteError { return w.description }
        if let n = e as NSError?, let u = n.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        return e.localizedDescription
    }

    /// Opens the newest good checkpoint: removes leftover temporaries, then tries
    /// `candidates()` newest first with `open`; a file `open` refuses with a
    /// `CheckpointError` is set aside as `….corrupt` and the next one is tried; a
    /// `CheckpointMismatch` (an intact checkpoint of another engine or model) is thrown as it
    /// is and nothing is renamed: such a file is not ours to set aside. Returns
    /// `open`'s result and one note per temporary removed or file skipped.
    public func openNewest<T>(_ open: (URL) throws -> T) throws -> (value: T, notes: [String]) {
        var notes = removeTemporaries().map { "removed \($0), left by an interrupted checkpoint write" }
        for url in candidates() {
            do { return (try open(url), notes) } catch let e as CheckpointError {
                notes.append("skipped \(e); renamed it to \(url.lastPathComponent).corrupt")
                setAside(url)
            }
        }
        throw CheckpointError("\(directory.path): no usable checkpoint")
    }
}
