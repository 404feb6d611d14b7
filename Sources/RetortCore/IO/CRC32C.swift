/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven, as TFRecord
/// framing uses it. Known answers: crc32c("123456789") = 0xE3069283, 32 zero bytes =
/// 0x8A9136AA.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// TensorFlow's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2³²).
    public static func masked<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
