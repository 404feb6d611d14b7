import Foundation

/// CRC-32 (IEEE 802.3, the polynomial of zlib, PNG and gzip): `CRC32.checksum(bytes)`,
/// or `update` over several pieces starting from 0.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    public static func checksum<C: ContiguousBytes>(_ data: C) -> UInt32 {
        data.withUnsafeBytes { update(0, $0) }
    }
}
