import Foundation

/// TFRecord framing (TensorFlow's record files, TensorBoard's event files): per record
///
///     uint64 length (little-endian) | uint32 masked CRC-32C of the 8 length bytes |
///     length bytes of data          | uint32 masked CRC-32C of the data
public enum TFRecord {
    /// One-line error naming the file and the byte offset of the bad record.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// Appends one framed record to `out`.
    public static func frame(_ payload: [UInt8], into out: inout [UInt8]) {
        var header = [UInt8](repeating: 0, count: 8)
        let n = UInt64(payload.count)
        for i in 0..<8 { header[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
        out += header
        appendLE32(CRC32C.masked(header), to: &out)
        out += payload
        appendLE32(CRC32C.masked(payload), to: &out)
    }

    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 16)
        frame(payload, into: &out)
        return out
    }

    /// Splits `bytes` into record payloads with their byte offsets, checking both CRCs of
    /// every record. `file` names the file in errors.
    public static func records(_ bytes: [UInt8], file: String) throws -> [(offset: Int, payload: [UInt8])] {
        var out: [(Int, [UInt8])] = []
        var p = 0
        while p < bytes.count {
            let left = bytes.count - p
            guard left >= 12 else {
                throw FormatError("\(file): byte \(p): truncated record header (\(left) of 12 bytes)")
            }
            var n: UInt64 = 0
            for i in 0..<8 { n |= UInt64(bytes[p + i]) << (8 * UInt64(i)) }
            let stored = le32(bytes, p + 8), computed = CRC32C.masked(bytes[p..<(p + 8)])
            guard stored == computed else {
                throw FormatError("\(file): byte \(p): length CRC mismatch (stored \(hex(stored)), computed \(hex(computed)))")
            }
            guard n <= UInt64(left - 12), Int(n) + 4 <= left - 12 else {
                throw FormatError("\(file): byte \(p): truncated record (length \(n), \(left - 12) bytes left, need \(n + 4))")
            }
            let start = p + 12, end = start + Int(n)
            let payload = Array(bytes[start..<end])
            let storedData = le32(bytes, end), computedData = CRC32C.masked(payload)
            guard storedData == computedData else {
                throw FormatError("\(file): byte \(p): data CRC mismatch (stored \(hex(storedData)), computed \(hex(computedData)))")
            }
            out.append((p, payload))
            p = end + 4
        }
        return out.map { (offset: $0.0, payload: $0.1) }
    }

    static func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: false).leftPadded(to: 8) }
}

private extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
