#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads data files without ever reading unbounded: only regular files (a FIFO or
/// `/dev/zero` is refused by name), never more than the memory budget, gzip inflated
/// with the same bound.
public enum BoundedFile {
    /// What kind of thing is at a path.
    public enum Kind: Equatable { case regular(size: Int), directory, missing, other(String) }

    public static func kind(of path: String) -> Kind {
        var st = stat()
        if stat(path, &st) != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(st.st_size))
        case S_IFDIR: return .directory
        case S_IFIFO: return .other("a FIFO")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        case S_IFSOCK: return .other("a socket")
        default: return .other("not a regular file")
        }
    }

    /// The raw bytes of a regular file of at most `budget` bytes.
    public static func read(path: String, budget: Int) throws -> [UInt8] {
        let size: Int
        switch kind(of: path) {
        case .regular(let s): size = s
        case .directory: throw DataError(file: path, "is a directory, not a data file")
        case .missing: throw DataError(file: path, "no such file")
        case .other(let what): throw DataError(file: path, "is \(what), not a regular file (give a data file or folder)")
        }
        try MemoryBudget.check(size, budget: budget, file: path)
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw DataError(file: path, "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { buf in sysRead(fd, buf.baseAddress! + filled, size - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(file: path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }  // shrank while reading
            filled += n
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// The bytes of a file, inflated when it is gzip, both bounded by `budget`.
    public static func readMaybeGzip(path: String, budget: Int) throws -> [UInt8] {
        let raw = try read(path: path, budget: budget)
        guard GzipReader.isGzip(raw) else { return raw }
        return try GzipReader.inflate(raw, file: path, limit: budget)
    }

    /// A small text file (at most 1 MB), e.g. /proc/meminfo or a class-name list.
    static func readSmallText(path: String) throws -> String {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw DataError(file: path, "no such file") }
        defer { close(fd) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65_536)
        while out.count < 1 << 20 {
            let n = buf.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@inline(__always)
private func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
