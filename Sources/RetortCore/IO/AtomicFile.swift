import Foundation

/// Writes a file so that readers see either the old or the new content, never a torn one:
/// temporary file in the same folder, fsync, rename, fsync of the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(description: "\(tmp.path): cannot create (\(String(cString: strerror(errno))))") }
        var ok = true
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { ok = false; return }
                off += n
            }
        }
        let err = errno
        if ok && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok else {
            unlink(tmp.path)
            throw WriteError(description: "\(url.path): write failed (\(String(cString: strerror(err))))")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let e = errno; unlink(tmp.path)
            throw WriteError(description: "\(url.path): rename failed (\(String(cString: strerror(e))))")
        }
        let dfd = open(dir.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
