import Foundation

/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length, a JSON header mapping tensor names to dtype, shape and
/// byte offsets, then the raw little-endian data. Retort writes F32 tensors.
public enum SafeTensors {
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        if !metadata.isEmpty {
            let m = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
            entries.insert("\"__metadata__\":{\(m)}", at: 0)
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        var len = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in tensors {
            // Float32 is little-endian on every platform Retort runs on.
            out.append(UnsafeBufferPointer(start: t.data, count: t.count))
        }
        return out
    }

    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    static func jsonString(_ s: String) -> String {
        var r = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case _ where c.value < 0x20: r += String(format: "\\u%04x", c.value)
            default: r.unicodeScalars.append(c)
            }
        }
        return r + "\""
    }
}
