import CZlib

/// The members of a zip archive as NumPy's `np.savez` / `np.savez_compressed` write
/// them: stored (method 0) or deflated (method 8), with or without zip64 extra fields.
///
/// Own reader rather than a zip package: `.npz` needs only the central directory and
/// two compression methods, zlib is already linked (CZlib), the parser works on bytes
/// in memory (so the fuzz harness drives it directly) and every size is checked against
/// the archive and the memory budget before anything is allocated.
public struct ZipArchive {
    public struct Member: Sendable {
        public let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        public let size: Int
        let localHeaderOffset: Int
    }

    public let file: String
    public let members: [Member]
    private let bytes: [UInt8]

    /// True when `bytes` starts like a zip file (a local header, or an empty archive).
    public static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2] == 3 || bytes[2] == 5)
    }

    public init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes; self.file = file
        func fail(_ what: String) -> DataError { DataError(file: file, "zip: \(what)") }
        // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw fail("truncated: \(bytes.count) bytes, shorter than an end-of-directory record") }
        var eocd = -1
        var k = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while k >= lowest {
            if bytes[k] == 0x50, bytes[k + 1] == 0x4B, bytes[k + 2] == 5, bytes[k + 3] == 6 { eocd = k; break }
            k -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record (truncated or not a zip file)") }
        var entries = Self.u16(bytes, eocd + 10)
        var dirSize = Self.u32(bytes, eocd + 12)
        var dirOffset = Self.u32(bytes, eocd + 16)
        if entries == 0xFFFF || dirSize == 0xFFFF_FFFF || dirOffset == 0xFFFF_FFFF {
            // zip64: a locator "PK\6\7" right before the record points at the zip64 record.
            let loc = eocd - 20
            guard loc >= 0, Self.u32(bytes, loc) == 0x0706_4B50 else { throw fail("zip64 sizes without a zip64 locator") }
            let rec = Self.u64(bytes, loc + 8)
            guard rec >= 0, rec <= bytes.count - 56, Self.u32(bytes, rec) == 0x0606_4B50 else { throw fail("zip64 end record out of the file") }
            entries = Self.u64(bytes, rec + 32); dirSize = Self.u64(bytes, rec + 40); dirOffset = Self.u64(bytes, rec + 48)
        }
        guard dirOffset >= 0, dirSize >= 0, dirOffset <= bytes.count, dirSize <= bytes.count - dirOffset else {
            throw fail("central directory (\(dirSize) bytes at \(dirOffset)) lies outside the \(bytes.count)-byte file")
        }
        guard entries >= 0, entries <= dirSize / 46 else { throw fail("\(entries) entries cannot fit a \(dirSize)-byte central directory") }
        var members = [Member]()
        var p = dirOffset
        for _ in 0..<entries {
            guard p + 46 <= dirOffset + dirSize, Self.u32(bytes, p) == 0x0201_4B50 else { throw fail("central directory entry \(members.count + 1) is damaged") }
            let flags = Self.u16(bytes, p + 8)
            let method = Self.u16(bytes, p + 10)
            let crc = UInt32(Self.u32(bytes, p + 16))
            var csize = Self.u32(bytes, p + 20), usize = Self.u32(bytes, p + 24)
            let nameLen = Self.u16(bytes, p + 28), extraLen = Self.u16(bytes, p + 30), commentLen = Self.u16(bytes, p + 32)
            var offset = Self.u32(bytes, p + 42)
            let end = p + 46 + nameLen + extraLen + commentLen
            guard end <= dirOffset + dirSize else { throw fail("central directory entry \(members.count + 1) runs past the directory") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            // zip64 extra (id 1): the 8-byte values, in order, of the fields that read 0xFFFFFFFF.
            var e = p + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {
                let id = Self.u16(bytes, e), len = Self.u16(bytes, e + 2)
                var q = e + 4
                if id == 1 {
                    if usize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { usize = Self.u64(bytes, q); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { csize = Self.u64(bytes, q); q += 8 }
                    if offset == 0xFFFF_FFFF, q + 8 <= e + 4 + len { offset = Self.u64(bytes, q); q += 8 }
                }
                e += 4 + len
            }
            guard flags & 1 == 0 else { throw fail("\(name): encrypted members are not supported") }
            guard method == 0 || method == 8 else { throw fail("\(name): compression method \(method) is not supported (stored or deflate)") }
            guard csize >= 0, usize >= 0, offset >= 0, offset <= bytes.count, csize <= bytes.count - offset else {
                throw fail("\(name): member data lies outside the file (truncated?)")
            }
            members.append(Member(name: name, method: method, crc: crc, compressedSize: csize, size: usize, localHeaderOffset: offset))
            p = end
        }
        self.members = members
    }

    /// The uncompressed bytes of `member`, checked against its CRC-32; at most `budget` bytes.
    public func contents(of member: Member, budget: Int = Int.max) throws -> [UInt8] {
        func fail(_ what: String) -> DataError { DataError(file: file, "zip member \(member.name): \(what)") }
        try MemoryBudget.check(member.size, budget: budget, file: file + ":" + member.name)
        let h = member.localHeaderOffset
        guard h <= bytes.count - 30, Self.u32(bytes, h) == 0x0403_4B50 else { throw fail("local header missing (truncated or damaged archive)") }
        let start = h + 30 + Self.u16(bytes, h + 26) + Self.u16(bytes, h + 28)
        guard start <= bytes.count, member.compressedSize <= bytes.count - start else {
            throw fail("truncated: \(member.compressedSize) bytes of data, the file has \(max(0, bytes.count - start))")
        }
        let raw = bytes[start..<(start + member.compressedSize)]
        let out: [UInt8]
        if member.method == 0 {
            guard member.size == member.compressedSize else { throw fail("stored member sizes disagree (\(member.size) vs \(member.compressedSize))") }
            out = Array(raw)
        } else {
            out = try Self.inflateRaw(raw, size: member.size) { fail($0) }
        }
        let crc = out.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        guard crc == member.crc else { throw fail("CRC-32 mismatch (corrupt data)") }
        return out
    }

    /// Inflates raw deflate data that must produce exactly `size` bytes.
    static func inflateRaw(_ input: ArraySlice<UInt8>, size: Int, fail: (String) -> DataError) throws -> [UInt8] {
        guard input.count <= Int(UInt32.max), size <= Int(UInt32.max) else { throw fail("members over 4 GB are not supported") }
        var strm = z_stream()
        guard inflateInit2_(&strm, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw fail("cannot start zlib") }
        defer { inflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: size + 1)  // one spare byte detects data longer than declared
        var rc: Int32 = Z_OK
        var produced = 0
        input.withUnsafeBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob in
                strm.next_in = UnsafeMutablePointer(mutating: ib.baseAddress)
                strm.avail_in = UInt32(ib.count)
                strm.next_out = ob.baseAddress
                strm.avail_out = UInt32(ob.count)
                rc = CZlib.inflate(&strm, Z_FINISH)
                produced = ob.count - Int(strm.avail_out)
            }
        }
        switch rc {
        case Z_STREAM_END:
            guard produced == size else { throw fail("inflates to \(produced) bytes, the directory says \(size)") }
        case Z_BUF_ERROR where strm.avail_out == 0:
            throw fail("inflates to more than the \(size) bytes the directory says")
        case Z_BUF_ERROR:
            throw fail("truncated deflate data")
        default:
            let why = strm.msg.map { String(cString: $0) } ?? "error \(rc)"
            throw fail("corrupt deflate data (zlib: \(why))")
        }
        out.removeLast()
        return out
    }

    static func u16(_ b: [UInt8], _ i: Int) -> Int { i >= 0 && i + 2 <= b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : 0 }
    static func u32(_ b: [UInt8], _ i: Int) -> Int { i >= 0 && i + 4 <= b.count ? u16(b, i) | u16(b, i + 2) << 16 : 0 }
    static func u64(_ b: [UInt8], _ i: Int) -> Int {
        guard i >= 0, i + 8 <= b.count else { return -1 }
        let v = UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32
        return v > UInt64(Int.max) ? -1 : Int(v)
    }
}
