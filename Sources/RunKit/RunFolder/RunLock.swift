import Foundation
import Synchronization

/// One writer per run folder: a process that creates or resumes a run holds an exclusive
/// `flock` on `<run>/.lock` (which names its pid) until it exits, so a second process
/// resuming the same folder — or a Runs tab deleting it — is refused with one line instead
/// of two writers interleaving metrics and checkpoints.
///
/// Locks are per process: holding a folder twice in one process is a no-op (a rollback or
/// a resume inside the TUI that created the run). The kernel drops the lock when the
/// process ends, however it ends (SIGKILL included), so a stale `.lock` file never blocks.
public enum RunLock {
    public static let fileName = ".lock"

    /// Folder path (standardised) → the descriptor holding its lock.
    private static let held = Mutex<[String: Int32]>([:])

    static func key(_ folder: URL) -> String { folder.standardizedFileURL.resolvingSymlinksInPath().path }

    /// Takes the folder's lock for the rest of the process (no-op when already held here).
    /// Throws one line naming the folder and the pid holding it.
    public static func hold(_ folder: URL) throws {
        let k = key(folder)
        try held.withLock { h in
            if h[k] != nil { return }
            let path = folder.appendingPathComponent(fileName).path
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw ConfigError("\(folder.path): cannot create its lock file (\(String(cString: strerror(errno))))")
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let owner = pid(fd: fd)
                close(fd)
                throw ConfigError("\(folder.path): in use by another retort process\(owner.map { " (pid \($0))" } ?? ""); wait for it to end or stop it first")
            }
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            h[k] = fd
        }
    }

    /// `hold` for a folder that looks like a run (config.json or checkpoints/ in it); other
    /// folders get no `.lock` file (resuming them fails with "no usable checkpoint" anyway).
    public static func holdRun(_ folder: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder.appendingPathComponent("config.json").path)
            || fm.fileExists(atPath: folder.appendingPathComponent("checkpoints").path) else { return }
        try hold(folder)
    }

    /// Gives the lock up (before a refused run's folder is removed).
    public static func release(_ folder: URL) {
        let k = key(folder)
        held.withLock { h in
            guard let fd = h.removeValue(forKey: k) else { return }
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// True when this process holds the folder's lock.
    public static func isHeldHere(_ folder: URL) -> Bool { held.withLock { $0[key(folder)] != nil } }

    /// The pid of another process holding the folder's lock, nil when none does (or this
    /// process holds it).
    public static func otherHolder(_ folder: URL) -> Int32? {
        if isHeldHere(folder) { return nil }
        let fd = open(folder.appendingPathComponent(fileName).path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else { _ = flock(fd, LOCK_UN); return nil }
        return pid(fd: fd) ?? 0
    }

    private static func pid(fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
