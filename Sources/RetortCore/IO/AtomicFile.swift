import Foundation

/// Writes an output file without ever replacing what is not a regular file of ours.
///
/// By what the path names now (following symlinks):
/// - nothing, or a regular file: atomic replace — temporary file in the same folder, fsync,
///   rename, fsync of the folder — so readers see the old or the new content, never a torn
///   one; a symlink to a regular file keeps the link and replaces the file it points to;
/// - a character device (`/dev/null`, a terminal) or a FIFO with a reader: written through;
///   a FIFO with no reader is refused (writing would block);
/// - a folder, a block device, a socket, a dangling link or a link loop: refused.
/// Refusals and failures are one line naming the path (`WriteError`).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Temporary files are named `.<name>.tmp-<pid>`: readers that list a folder skip them
    /// (a process killed mid-write leaves one behind; `isTemporary` recognises it).
    public static func isTemporary(_ fileName: String) -> Bool { fileName.hasPrefix(".") && fileName.contains(".tmp-") }

    /// What an output path names, and so how it is written.
    public enum Target: Equatable, Sendable {
        /// A regular file or nothing yet: replaced atomically at this (symlink-resolved) path.
        case replace(String)
        /// A character device or a FIFO: written through.
        case writeThrough(String)
    }

    /// Decides how `path` may be written, or throws the one-line reason it may not.
    public static func target(_ path: String) throws -> Target {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else { throw WriteError(description: "\(path): cannot be written (\(String(cString: strerror(errno))))") }
            return .replace(path)
        }
        let isLink = st.st_mode & S_IFMT == S_IFLNK
        if isLink {
            guard stat(path, &st) == 0 else {
                if errno == ELOOP { throw WriteError(description: "\(path): a symbolic link loop; not written") }
                if errno == ENOENT { throw WriteError(description: "\(path): a symbolic link to a missing file; not written (remove the link or name the file)") }
                throw WriteError(description: "\(path): cannot be written (\(String(cString: strerror(errno))))")
            }
        }
        // a link to a regular file: replace the file it names, keep the link
        var real = path
        if isLink && st.st_mode & S_IFMT == S_IFREG, let resolved = realpath(path, nil) {
            real = String(cString: resolved); free(resolved)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .replace(real)
        case S_IFCHR, S_IFIFO: return .writeThrough(path)
        case S_IFDIR: throw WriteError(description: "\(path): is a folder; name a file inside it")
        default: throw WriteError(description: "\(path): is not a regular file, character device or FIFO; not written")
        }
    }

    /// `beforeRename` runs after the temporary file is written and fsynced, just before the
    /// rename (a test hook: crash tests kill the process there).
    public static func write(_ data: Data, to url: URL, beforeRename: (() -> Void)? = nil) throws {
        switch try target(url.path) {
        case .writeThrough(let path): try writeThrough(data, path: path, shown: url.path)
        case .replace(let path): try replace(data, at: URL(fileURLWithPath: path), shown: url.path, beforeRename: beforeRename)
        }
    }

    /// Text as UTF-8.
    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    static func writeThrough(_ data: Data, path: String, shown: String) throws {
        let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENXIO { throw WriteError(description: "\(shown): a FIFO with no reader; not written") }
            throw WriteError(description: "\(shown): cannot open for writing (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        // blocking writes from here on (a FIFO's reader may be slower than we are)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let err = writeAll(fd, data)
        guard err == 0 else { throw WriteError(description: "\(shown): write failed (\(String(cString: strerror(err))))") }
    }

    static func replace(_ data: Data, at url: URL, shown: String, beforeRename: (() -> Void)?) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "the folder \(dir.path) does not exist" : String(cString: strerror(errno))
            throw WriteError(description: "\(shown): cannot create a temporary file in \(dir.path) (\(reason))")
        }
        var err = writeAll(fd, data)
        if err == 0 && fsync(fd) != 0 { err = errno }
        close(fd)
        guard err == 0 else {
            unlink(tmp.path)
            throw WriteError(description: "\(shown): write failed (\(String(cString: strerror(err))))")
        }
        beforeRename?()
        guard rename(tmp.path, url.path) == 0 else {
            let e = errno; unlink(tmp.path)
            throw WriteError(description: "\(shown): rename failed (\(String(cString: strerror(e))))")
        }
        let dfd = open(dir.path, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Writes all of `data`; 0 or the errno of the failure (ENOSPC for a zero-length write).
    static func writeAll(_ fd: Int32, _ data: Data) -> Int32 {
        data.withUnsafeBytes { buf -> Int32 in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 ? errno : ENOSPC }
                off += n
            }
            return 0
        }
    }
}
