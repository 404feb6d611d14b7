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

    /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func jsonString(_ s: String) -> String {
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

/// A one-line error about a safetensors file, naming the file and the field.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The tensors and metadata of a safetensors file, tensors in data-offset order.
public struct SafeTensorsFile {
    public let file: String
    public let tensors: [(name: String, tensor: Tensor)]
    public let metadata: [String: String]
    public subscript(_ name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
    public var names: [String] { tensors.map(\.name) }
}

public extension SafeTensors {
    /// The largest header the reference implementation accepts.
    static let maxHeaderBytes = 100_000_000

    static func read(_ url: URL) throws -> SafeTensorsFile {
        let data: Data
        do { data = try RegularFile.read(url.path, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError {
            throw SafeTensorsError(e.description)
        }
        return try decode(data, file: url.lastPathComponent)
    }

    /// Parses and validates a safetensors file: header length within the file, a JSON
    /// object header, F32 tensors only, shapes that match their byte ranges, ranges inside
    /// the data section that neither overlap nor leave gaps (as the reference library checks).
    static func decode(_ data: Data, file: String) throws -> SafeTensorsFile {
        func bad(_ what: String) -> SafeTensorsError { SafeTensorsError("\(file): \(what)") }
        guard data.count >= 8 else { throw bad("header length: the file has \(data.count) bytes, need at least 8") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(data.count - 8) else {
            throw bad("header length \(n) exceeds the file (\(data.count - 8) bytes after the length field)")
        }
        guard n <= UInt64(maxHeaderBytes) else { throw bad("header length \(n) exceeds the limit of \(maxHeaderBytes) bytes") }
        let headerBytes = data.subdata(in: 8..<(8 + Int(n)))
        guard headerBytes.first == UInt8(ascii: "{") else { throw bad("header: must be a JSON object starting with '{'") }
        if let d = JSONDuplicateKeys.first(in: headerBytes) { throw bad("header: \(d)") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerBytes) } catch {
            throw bad("header: not valid JSON (\(n) bytes)")
        }
        guard let header = json as? [String: Any] else { throw bad("header: must be a JSON object") }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let dict = m as? [String: Any], let strings = dict as? [String: String] else {
                throw bad("__metadata__: must map strings to strings")
            }
            metadata = strings
        }
        let dataStart = 8 + Int(n), dataBytes = data.count - dataStart
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let e = value as? [String: Any] else { throw bad("tensor '\(name)': must be an object with dtype, shape, data_offsets") }
            guard let dtype = e["dtype"] as? String else { throw bad("tensor '\(name)': dtype: missing or not a string") }
            guard dtype == "F32" else { throw bad("tensor '\(name)': dtype \(dtype) not supported (Retort reads F32 only)") }
            guard let shapeAny = e["shape"] as? [Any], let shape = integers(shapeAny), shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("tensor '\(name)': shape: must be a list of non-negative integers")
            }
            guard let offAny = e["data_offsets"] as? [Any], let off = integers(offAny), off.count == 2 else {
                throw bad("tensor '\(name)': data_offsets: must be [begin, end] integers")
            }
            guard off[0] >= 0, off[0] <= off[1], off[1] <= dataBytes else {
                throw bad("tensor '\(name)': data_offsets [\(off[0]), \(off[1])] outside the data section (\(dataBytes) bytes)")
            }
            var count = 1
            for d in shape {
                let (m, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, m <= dataBytes else { throw bad("tensor '\(name)': shape \(shape) is larger than the file") }
                count = m
            }
            guard off[1] - off[0] == count * 4 else {
                throw bad("tensor '\(name)': data_offsets [\(off[0]), \(off[1])] hold \(off[1] - off[0]) bytes, shape \(shape) of F32 needs \(count * 4)")
            }
            entries.append((name, shape, off[0], off[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for (i, e) in entries.enumerated() {
            if e.begin < covered {
                throw bad("tensors '\(entries[i - 1].name)' and '\(e.name)' overlap (data_offsets \(entries[i - 1].begin)…\(entries[i - 1].end) and \(e.begin)…\(e.end))")
            }
            if e.begin > covered { throw bad("data bytes \(covered)…\(e.begin) belong to no tensor (before '\(e.name)')") }
            covered = e.end
        }
        if covered != dataBytes { throw bad("data bytes \(covered)…\(dataBytes) belong to no tensor") }
        let tensors = entries.map { e -> (name: String, tensor: Tensor) in
            let t = Tensor(shape: e.shape)
            data.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(t.data).copyMemory(from: raw.baseAddress! + dataStart + e.begin, byteCount: e.end - e.begin)
            }
            return (e.name, t)
        }
        return SafeTensorsFile(file: file, tensors: tensors, metadata: metadata)
    }

    /// JSON numbers that are exact integers.
    private static func integers(_ a: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in a {
            guard let num = v as? NSNumber else { return nil }
            let d = num.doubleValue
            guard d == d.rounded(), abs(d) < 9e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }
}

public extension SafeTensorsFile {
    /// Checks that the file holds exactly the tensors `expected` (name and shape), apart from
    /// the names in `optional`, which may be missing. `model` names the receiving model in
    /// errors. Throws one line naming the file, the tensor and both shapes.
    func check(_ expected: [(name: String, shape: [Int])], optional: Set<String> = [], model: String) throws {
        let have = Dictionary(tensors.map { ($0.name, $0.tensor.shape) }, uniquingKeysWith: { a, _ in a })
        let want = Set(expected.map(\.name))
        for (name, shape) in expected {
            guard let s = have[name] else {
                if optional.contains(name) { continue }
                throw SafeTensorsError("\(file): tensor '\(name)' missing (the model \(model) has \(expected.count - optional.count) tensors, the file \(tensors.count))")
            }
            guard s == shape else {
                throw SafeTensorsError("\(file): tensor '\(name)': shape \(s) in the file, the model \(model) expects \(shape)")
            }
        }
        if let extra = tensors.first(where: { !want.contains($0.name) }) {
            throw SafeTensorsError("\(file): tensor '\(extra.name)' \(extra.tensor.shape) is not part of the model \(model)")
        }
    }

    /// The tensor `name`, or a one-line error naming the file and the tensor.
    func require(_ name: String) throws -> Tensor {
        guard let t = self[name] else { throw SafeTensorsError("\(file): tensor '\(name)' missing") }
        return t
    }
}
