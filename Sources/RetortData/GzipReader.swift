#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import RetortCore

/// Reads a whole file into memory, inflating it with zlib when it starts with the
/// gzip magic bytes (1f 8b); any other file is returned as it is on disk.
///
/// Concatenated gzip members (what `cat a.gz b.gz` produces) are inflated one after
/// another, as `gunzip` does. Problems are `DataError`s naming the file:
/// `no such file`, `corrupt gzip data (zlib: …)`, `truncated gzip data: …`.
public enum GzipReader {
    /// The bytes of `path`, decompressed if the file is gzip; the decompressed size is
    /// bounded by `limit` (a gzip bomb is refused before it takes the memory).
    public static func read(path: String, limit: Int = Int.max) throws -> [UInt8] {
        let raw = try readFile(path: path)
        return isGzip(raw) ? try inflate(raw, file: path, limit: limit) : raw
    }

    /// True when `bytes` starts with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The raw bytes of a file (no decompression): a regular file of at most
    /// `RegularFile.binaryLimit` bytes (a FIFO or device is refused, see `RegularFile`).
    public static func readFile(path: String) throws -> [UInt8] {
        do { return try RegularFile.readBytes(path, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError {
            switch e.kind {
            case .missing: throw DataError(file: path, "no such file")
            case .folder: throw DataError(file: path, "is a directory, not a data file")
            case .other: throw DataError(file: path, e.message)
            }
        }
    }

    /// Inflates gzip (or zlib) data; `file` is only used in error messages. Output past
    /// `limit` bytes is refused (the data would not fit in memory): the rest of the stream
    /// is then inflated into a small scratch buffer, up to 1 GB more, only to count the size
    /// the message names ("decompresses to more than 1.0 GB, the memory available for it: it
    /// needs 2.4 GB").
    public static func inflate(_ input: [UInt8], file: String, limit: Int = Int.max) throws -> [UInt8] {
        if input.count > Int(UInt32.max) {
            throw DataError(file: file, "compressed file larger than 4 GB is not supported")
        }
        var strm = z_stream()
        var rc = inflateInit2_(&strm, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw DataError(file: file, "cannot start zlib (inflateInit2 returned \(rc))") }
        defer { inflateEnd(&strm) }

        var out = [UInt8](repeating: 0, count: min(initialCapacity(forGzip: input), max(limit, 1)))
        var produced = 0

        try input.withUnsafeBufferPointer { inBuf in
            strm.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress!)
            strm.avail_in = UInt32(inBuf.count)
            while true {
                if produced == out.count {
                    if produced >= limit { throw tooLarge(&strm, produced: produced, limit: limit, file: file) }
                    out.append(contentsOf: repeatElement(0, count: min(out.count, limit - out.count)))
                }
                let room = min(out.count - produced, Int(UInt32.max))
                out.withUnsafeMutableBufferPointer { ob in
                    strm.next_out = ob.baseAddress! + produced
                    strm.avail_out = UInt32(room)
                    rc = CZlib.inflate(&strm, Z_NO_FLUSH)
                }
                produced += room - Int(strm.avail_out)

                switch rc {
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated .gz files).
                    let left = Int(strm.avail_in)
                    if left >= 2, strm.next_in[0] == 0x1F, strm.next_in[1] == 0x8B {
                        rc = inflateReset(&strm)
                        if rc != Z_OK { throw DataError(file: file, "corrupt gzip data (zlib: cannot reset stream)") }
                        continue
                    }
                    return  // trailing bytes that are not a gzip member are ignored, as gunzip does
                case Z_OK:
                    if strm.avail_in == 0 && strm.avail_out > 0 { throw truncated(file) }
                case Z_BUF_ERROR:
                    if strm.avail_in == 0 { throw truncated(file) }
                    // otherwise the output buffer was full; it grows on the next pass
                case Z_MEM_ERROR:
                    throw DataError(file: file, "out of memory while decompressing")
                default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
                    let why = strm.msg.map { String(cString: $0) } ?? "error \(rc)"
                    throw DataError(file: file, "corrupt gzip data (zlib: \(why))")
                }
            }
        }
        out.removeLast(out.count - produced)
        return out
    }

    // MARK: - helpers

    /// How far counting goes past the limit before the message says "more than".
    static let countBeyondLimit = 1 << 30

    /// The refusal of an inflation past `limit`: inflates the rest into a scratch buffer to
    /// count it (never more than `countBeyondLimit` further), so the message names the size.
    private static func tooLarge(_ strm: inout z_stream, produced: Int, limit: Int, file: String) -> DataError {
        var total = produced
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        var ended = false
        scratch.withUnsafeMutableBufferPointer { sb in
            while total - produced < countBeyondLimit {
                strm.next_out = sb.baseAddress!
                strm.avail_out = UInt32(sb.count)
                let rc = CZlib.inflate(&strm, Z_NO_FLUSH)
                total += sb.count - Int(strm.avail_out)
                if rc == Z_STREAM_END {
                    let left = Int(strm.avail_in)
                    guard left >= 2, strm.next_in[0] == 0x1F, strm.next_in[1] == 0x8B, inflateReset(&strm) == Z_OK else { ended = true; return }
                } else if rc != Z_OK {
                    return   // corrupt or truncated further on: report what was counted
                }
            }
        }
        let need = ended ? MemoryBudget.size(total) : "more than \(MemoryBudget.size(total))"
        return DataError(file: file, "decompresses to more than \(MemoryBudget.size(limit)), the memory available for it: it needs \(need)")
    }

    private static func truncated(_ file: String) -> DataError {
        DataError(file: file, "truncated gzip data: the file ends before the compressed stream does")
    }

    /// The gzip trailer holds the uncompressed size mod 2³²; use it as a capacity
    /// hint (clamped, since it can wrap or lie for multi-member files).
    private static func initialCapacity(forGzip input: [UInt8]) -> Int {
        let fallback = max(4096, input.count * 4)
        guard input.count >= 18 else { return fallback }
        let n = input.count
        let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        if isize >= input.count / 2 && isize <= input.count &* 1100 { return max(4096, isize + 1) }
        return fallback
    }
}

