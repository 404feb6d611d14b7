import Foundation

/// Reads an input file whole, refusing what is not a regular file and what is too large.
///
/// Every reader of a user-named file (data sets, themes, accelerator configs and
/// topologies, safetensors weights, checkpoints) goes through here, because:
/// - a FIFO would block the read forever and a character device (`/dev/zero`) would be
///   read until memory runs out: anything but a regular file (after following symlinks)
///   is refused — "not a regular file (a FIFO); give a file";
/// - a regular file larger than `limit` bytes is refused before it is read.
/// The open is non-blocking, so naming a FIFO with no writer never hangs either.
public enum RegularFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public enum Kind: Sendable { case missing, folder, other }
        /// The path as given, what is wrong with it (without the path), and the kind of problem.
        public let file: String
        public let message: String
        public var kind: Kind = .other
        public var description: String { "\(file): \(message)" }
    }

    /// Limits of the readers: text inputs (configs, themes, topologies) 64 MB; data sets,
    /// weights and checkpoints 4 GB.
    public static let textLimit = 64 << 20
    public static let binaryLimit = 4 << 30

    public static func read(_ path: String, limit: Int) throws -> Data {
        let bytes = try readBytes(path, limit: limit)
        return Data(bytes)
    }

    public static func readBytes(_ path: String, limit: Int) throws -> [UInt8] {
        func fail(_ message: String, _ kind: ReadError.Kind = .other) -> ReadError { ReadError(file: path, message: message, kind: kind) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { let e = errno; throw fail(openFailure(e), e == ENOENT || e == ENOTDIR ? .missing : .other) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw fail("cannot read: \(String(cString: strerror(errno)))") }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            if type == S_IFDIR { throw fail("is a directory, not a file; give a file", .folder) }
            throw fail("not a regular file (\(kind(type))); give a file")
        }
        guard Int64(st.st_size) <= Int64(limit) else {
            throw fail("is \(st.st_size) bytes, larger than the \(sizeText(limit)) read at most")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var filled = 0
        while true {
            if filled == bytes.count {  // the file grew since fstat
                guard bytes.count < limit else { throw fail("grew beyond the \(sizeText(limit)) read at most while it was read") }
                bytes.append(contentsOf: repeatElement(0, count: min(max(65_536, bytes.count), limit - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { buf in Foundation.read(fd, buf.baseAddress! + filled, buf.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    static func openFailure(_ code: Int32) -> String {
        switch code {
        case ENOENT, ENOTDIR: return "cannot read: no such file"
        case EACCES: return "cannot read: permission denied"
        case ELOOP: return "a symbolic link loop; give a file"
        default: return "cannot open: \(String(cString: strerror(code)))"
        }
    }

    static func kind(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    static func sizeText(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? "\(bytes >> 30) GB" : bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}
