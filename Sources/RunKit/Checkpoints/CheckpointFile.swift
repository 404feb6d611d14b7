import Foundation
import RetortCore

/// One checkpoint file: a valid safetensors file (F32 tensors, readable by any safetensors
/// tool) whose `__metadata__` holds
///
///     retort.format  "checkpoint-1"
///     retort.state   the JSON of everything that is not a tensor (`TrainingState`)
///     retort.crc32   CRC-32 of the whole file with these 8 hex digits read as "00000000"
///
/// so a truncated or corrupted file — header, state or tensor bytes — is rejected.
public enum CheckpointFile {
    public static let format = "checkpoint-1"
    static let crcKey = Array("\"retort.crc32\":\"".utf8)

    public static func encode(state: Data, tensors: [(name: String, tensor: Tensor)]) -> Data {
        var data = SafeTensors.encode(tensors, metadata: [
            "retort.format": format, "retort.state": String(decoding: state, as: UTF8.self), "retort.crc32": "00000000",
        ])
        guard let at = crcOffset(in: data) else { preconditionFailure("checkpoint header lost its checksum field") }
        let hex = Array(String(format: "%08x", CRC32.checksum(data)).utf8)
        data.replaceSubrange(at..<(at + 8), with: hex)
        return data
    }

    /// Offset of the checksum's 8 hex digits inside the header.
    static func crcOffset(in data: Data) -> Int? {
        guard data.count >= 8 else { return nil }
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard n > 0, n <= data.count - 8 else { return nil }
        let header = data[8..<(8 + n)]
        guard let r = header.firstRange(of: crcKey), r.upperBound + 8 <= 8 + n else { return nil }
        return r.upperBound
    }

    public struct Contents {
        public let state: Data
        public let tensors: [String: Tensor]
    }

    /// Reads and verifies a checkpoint; every failure is one line naming the file.
    public static func decode(_ data: Data, file: String) throws -> Contents {
        func bad(_ why: String) -> CheckpointError { CheckpointError("\(file): \(why)") }
        guard data.count >= 8 else { throw bad("truncated (\(data.count) bytes)") }
        let n = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n > 0, n <= UInt64(data.count - 8) else { throw bad("truncated or not a checkpoint (header of \(n) bytes in a \(data.count)-byte file)") }
        let headerEnd = 8 + Int(n)
        guard let at = crcOffset(in: data) else { throw bad("not a Retort checkpoint (no checksum in the header)") }
        let stored = String(decoding: data[at..<(at + 8)], as: UTF8.self)
        var zeroed = data
        zeroed.replaceSubrange(at..<(at + 8), with: Array("00000000".utf8))
        let actual = String(format: "%08x", CRC32.checksum(zeroed))
        guard stored == actual else { throw bad("checksum mismatch (stored \(stored), computed \(actual)): the file is corrupt or truncated") }
        guard let header = try? JSONSerialization.jsonObject(with: data[8..<headerEnd]) as? [String: Any],
              let meta = header["__metadata__"] as? [String: String] else { throw bad("header is not valid JSON") }
        guard meta["retort.format"] == format else { throw bad("format '\(meta["retort.format"] ?? "?")' is not \(format)") }
        guard let state = meta["retort.state"] else { throw bad("no training state in the header") }
        var tensors: [String: Tensor] = [:]
        var covered = 0
        for (name, value) in header where name != "__metadata__" {
            guard let e = value as? [String: Any], e["dtype"] as? String == "F32", let shape = e["shape"] as? [Int],
                  let off = e["data_offsets"] as? [Int], off.count == 2 else { throw bad("tensor '\(name)' has a malformed entry") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), off[0] >= 0, off[1] - off[0] == 4 * count, headerEnd + off[1] <= data.count else {
                throw bad("tensor '\(name)' lies outside the file")
            }
            let t = Tensor(shape: shape)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + headerEnd + off[0]
                UnsafeMutableRawPointer(t.data).copyMemory(from: src, byteCount: 4 * count)
            }
            tensors[name] = t
            covered += 4 * count
        }
        guard headerEnd + covered == data.count else { throw bad("\(data.count - headerEnd - covered) bytes not covered by any tensor") }
        return Contents(state: Data(state.utf8), tensors: tensors)
    }
}

extension CheckpointFile {
    /// Reads and verifies the checkpoint at `url` and decodes its state as `State`; one
    /// line naming the file on any problem (`what` names the kind, e.g. "distillation").
    public static func read<State: Decodable>(_ url: URL, as: State.Type, decoder: JSONDecoder, what: String) throws -> (State, [String: Tensor]) {
        let data: Data
        do { data = try RegularFile.read(url.path, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError { throw CheckpointError(e.description) }
        let c = try decode(data, file: url.path)
        do { return (try decoder.decode(State.self, from: c.state), c.tensors) } catch {
            throw CheckpointError("\(url.path): not a\(what.first.map { "aeiou".contains($0) } == true ? "n" : "") \(what) checkpoint or its state is malformed (\(error))")
        }
    }
}

public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
