import Foundation

/// Writes a file so that readers see either the old or the new content, never a torn one:
/// temporary file in the same folder, fsync, rename, fsync of the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Temporary files are named `.<name>.tmp-<pid>`: readers that list a folder skip them
    /// (a process killed mid-write leaves one behind; `isTemporary` recognises it).
    public static func isTemporary(_ fileName: String) -> Bool { fileName.hasPrefix(".") && fileName.contains(".tmp-") }

    /// `beforeRename` runs after the temporary file is written and fsynced, just before the
    /// rename (a test hook: crash tests kill the process there).
    public static func write(_ data: Data, to url: URL, beforeRename: (() -> Void)? = nil) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(description: "\(url.path): cannot create a temporary file in \(dir.path) (\(String(cString: strerror(errno))))") }
        var err: Int32 = 0
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { err = n < 0 ? errno : ENOSPC; return }
                off += n
            }
        }
        if err == 0 && fsync(fd) != 0 { err = errno }
        close(fd)
        guard err == 0 else {
            unlink(tmp.path)
            throw WriteError(description: "\(url.path): write failed (\(String(cString: strerror(err))))")
        }
        beforeRename?()
        guard rename(tmp.path, url.path) == 0 else {
            let e = errno; unlink(tmp.path)
            throw WriteError(description: "\(url.path): rename failed (\(String(cString: strerror(e))))")
        }
        let dfd = open(dir.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
