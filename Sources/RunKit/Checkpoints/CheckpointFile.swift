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
        if let d = JSONDuplicateKeys.first(in: data[8..<headerEnd]) { throw bad("header: \(d)") }
        guard let header = try? JSONSerialization.jsonObject(with: data[8..<headerEnd]) as? [String: Any],
              let meta = header["__metadata__"] as? [String: String] else { throw bad("header is not valid JSON") }
        guard meta["retort.format"] == format else { throw bad("format '\(meta["retort.format"] ?? "?")' is not \(format)") }
        guard let state = meta["retort.state"] else { throw bad("no training state in the header") }
        if let d = JSONDuplicateKeys.first(in: Array(state.utf8)) { throw bad("training state: \(d)") }
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

    /// The engine whose state a verified checkpoint holds: the state's `kind` ("distill",
    /// "attention"); a training state has none. A `kind` no engine writes is returned as it is.
    public static func engine(ofState state: Data) -> CheckpointEngine {
        guard let o = try? JSONSerialization.jsonObject(with: state) as? [String: Any] else { return .unknown("?") }
        guard let kind = o["kind"] else { return .train }
        guard let k = kind as? String else { return .unknown("?") }
        return CheckpointEngine(rawValue: k) ?? .unknown(k)
    }
}

/// The engine that wrote a checkpoint (a verified file says so in its state).
public enum CheckpointEngine: Equatable, Sendable, CustomStringConvertible {
    case train, distill, attention
    case unknown(String)

    public init?(rawValue: String) {
        switch rawValue {
        case "train": self = .train
        case "distill": self = .distill
        case "attention": self = .attention
        default: return nil
        }
    }

    /// What the user calls it: "a training checkpoint (retort train)".
    public var description: String {
        switch self {
        case .train: return "a training checkpoint (written by retort train)"
        case .distill: return "a distillation checkpoint (written by retort distill)"
        case .attention: return "an attention checkpoint (written by retort attention)"
        case .unknown(let k): return "a checkpoint of unknown kind '\(k)'"
        }
    }

    /// "training", "distillation", "attention".
    public var noun: String {
        switch self {
        case .train: return "training"
        case .distill: return "distillation"
        case .attention: return "attention"
        case .unknown(let k): return k
        }
    }
}

/// A checkpoint that is intact (its checksum verified) but belongs elsewhere: another
/// engine's, or another model's. Unlike a `CheckpointError` it is never set aside as
/// `.corrupt` (the file is left exactly as it is) and no older checkpoint is tried: the
/// resume or rollback stops with this one line.
public struct CheckpointMismatch: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(file: String, _ why: String) { description = "\(file): \(why); the file is left as it is" }
}

extension CheckpointFile {
    /// Reads and verifies the checkpoint at `url` and decodes its state as `State`; one
    /// line naming the file on any problem (`what` names the kind, e.g. "distillation").
    /// A verified checkpoint of another engine is a `CheckpointMismatch` naming that engine.
    public static func read<State: Decodable>(_ url: URL, as: State.Type, decoder: JSONDecoder, engine: CheckpointEngine) throws -> (State, [String: Tensor]) {
        let data: Data
        do { data = try RegularFile.read(url.path, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError { throw CheckpointError(e.description) }
        let c = try decode(data, file: url.path)
        let found = Self.engine(ofState: c.state)
        if found != engine, found != .unknown("?") {
            throw CheckpointMismatch(file: url.path, "\(found), not \(engine.noun == "attention" ? "an" : "a") \(engine.noun) one")
        }
        do { return (try decoder.decode(State.self, from: c.state), c.tensors) } catch {
            let what = engine.noun
            throw CheckpointError("\(url.path): not a\(what.first.map { "aeiou".contains($0) } == true ? "n" : "") \(what) checkpoint or its state is malformed (\(error))")
        }
    }
}

public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
