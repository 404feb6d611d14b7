/// The subset of TensorBoard's `Event` protobuf Retort writes and reads
/// (tensorflow/core/util/event.proto, summary.proto):
///
///     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
///     Summary { repeated Value value = 1; }
///     Value   { string tag = 1; float simple_value = 2; }
///
/// Encoded as proto3 does it: a zero `step` is omitted; `simple_value` is a oneof member
/// and always written. Decoding skips fields it does not know.
public struct TensorBoardEvent: Equatable, Sendable {
    public struct Scalar: Equatable, Sendable {
        public var tag: String
        public var value: Float
        public init(tag: String, value: Float) { self.tag = tag; self.value = value }
    }
    public var wallTime: Double
    public var step: Int64
    public var fileVersion: String?
    public var scalars: [Scalar]

    public init(wallTime: Double, step: Int64 = 0, fileVersion: String? = nil, scalars: [Scalar] = []) {
        self.wallTime = wallTime; self.step = step; self.fileVersion = fileVersion; self.scalars = scalars
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        Protobuf.fixed64(field: 1, wallTime.bitPattern, into: &out)
        if step != 0 { Protobuf.varint(field: 2, UInt64(bitPattern: step), into: &out) }
        if let v = fileVersion { Protobuf.bytes(field: 3, Array(v.utf8), into: &out) }
        if !scalars.isEmpty {
            var summary: [UInt8] = []
            for s in scalars {
                var value: [UInt8] = []
                Protobuf.bytes(field: 1, Array(s.tag.utf8), into: &value)
                Protobuf.fixed32(field: 2, s.value.bitPattern, into: &value)
                Protobuf.bytes(field: 1, value, into: &summary)
            }
            Protobuf.bytes(field: 5, summary, into: &out)
        }
        return out
    }

    /// An Event whose summary holds already-encoded `Summary.Value`s (plugin summaries such
    /// as `HParams`'), at `wallTime` and `step`.
    public static func encoded(wallTime: Double, step: Int64 = 0, values: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        Protobuf.fixed64(field: 1, wallTime.bitPattern, into: &out)
        if step != 0 { Protobuf.varint(field: 2, UInt64(bitPattern: step), into: &out) }
        var summary: [UInt8] = []
        for v in values { Protobuf.bytes(field: 1, v, into: &summary) }
        Protobuf.bytes(field: 5, summary, into: &out)
        return out
    }

    /// Decodes one Event; throws `Protobuf.DecodeError` naming what is malformed.
    public static func decode(_ bytes: [UInt8]) throws -> TensorBoardEvent {
        var e = TensorBoardEvent(wallTime: 0)
        try Protobuf.fields(bytes[...], message: "Event") { field, value in
            switch (field, value) {
            case (1, .fixed64(let v)): e.wallTime = Double(bitPattern: v)
            case (2, .varint(let v)): e.step = Int64(bitPattern: v)
            case (3, .bytes(let b)): e.fileVersion = try Protobuf.string(b, "Event.file_version")
            case (5, .bytes(let b)): e.scalars += try decodeSummary(b)
            case (1, _), (2, _), (3, _), (5, _): throw Protobuf.DecodeError("Event field \(field) has the wrong wire type")
            default: break
            }
        }
        return e
    }

    static func decodeSummary(_ bytes: ArraySlice<UInt8>) throws -> [Scalar] {
        var out: [Scalar] = []
        try Protobuf.fields(bytes, message: "Summary") { field, value in
            guard field == 1 else { return }
            guard case .bytes(let b) = value else { throw Protobuf.DecodeError("Summary.value has the wrong wire type") }
            var tag: String?, simple: Float?
            try Protobuf.fields(b, message: "Summary.Value") { f, v in
                switch (f, v) {
                case (1, .bytes(let t)): tag = try Protobuf.string(t, "Summary.Value.tag")
                case (2, .fixed32(let x)): simple = Float(bitPattern: x)
                case (1, _), (2, _): throw Protobuf.DecodeError("Summary.Value field \(f) has the wrong wire type")
                default: break   // images, histograms, tensors: not Retort's
                }
            }
            if let tag, let simple { out.append(Scalar(tag: tag, value: simple)) }
        }
        return out
    }
}

/// A minimal protobuf wire-format encoder/decoder (varint, fixed32, fixed64, length-delimited).
enum Protobuf {
    struct DecodeError: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    enum Value { case varint(UInt64), fixed64(UInt64), bytes(ArraySlice<UInt8>), fixed32(UInt32) }

    static func key(_ field: Int, _ wire: UInt64, into out: inout [UInt8]) { rawVarint(UInt64(field) << 3 | wire, into: &out) }
    static func rawVarint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
    static func varint(field: Int, _ v: UInt64, into out: inout [UInt8]) { key(field, 0, into: &out); rawVarint(v, into: &out) }
    static func fixed64(field: Int, _ v: UInt64, into out: inout [UInt8]) {
        key(field, 1, into: &out)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
    static func fixed32(field: Int, _ v: UInt32, into out: inout [UInt8]) {
        key(field, 5, into: &out)
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }
    static func bytes(field: Int, _ b: [UInt8], into out: inout [UInt8]) {
        key(field, 2, into: &out); rawVarint(UInt64(b.count), into: &out); out += b
    }

    static func string(_ b: ArraySlice<UInt8>, _ what: String) throws -> String {
        guard let s = String(validating: b, as: UTF8.self) else { throw DecodeError("\(what) is not UTF-8") }
        return s
    }

    /// Calls `body(field, value)` for every field of a message.
    static func fields(_ b: ArraySlice<UInt8>, message: String, _ body: (Int, Value) throws -> Void) throws {
        var p = b.startIndex
        func readVarint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard p < b.endIndex else { throw DecodeError("\(message): truncated varint") }
                let byte = b[p]; p += 1
                guard shift < 64 else { throw DecodeError("\(message): varint longer than 10 bytes") }
                v |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return v }
                shift += 7
            }
        }
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, b.endIndex - p >= n else { throw DecodeError("\(message): field runs past the end (\(n) bytes, \(b.endIndex - p) left)") }
            defer { p += n }
            return b[p..<(p + n)]
        }
        while p < b.endIndex {
            let k = try readVarint()
            let field = Int(truncatingIfNeeded: k >> 3)
            guard field > 0 else { throw DecodeError("\(message): field number 0") }
            switch k & 7 {
            case 0: try body(field, .varint(try readVarint()))
            case 1:
                let s = try take(8)
                try body(field, .fixed64(s.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
            case 2:
                let n = try readVarint()
                guard n <= UInt64(b.endIndex - p) else { throw DecodeError("\(message): field \(field) length \(n) runs past the end (\(b.endIndex - p) bytes left)") }
                try body(field, .bytes(try take(Int(n))))
            case 5:
                let s = try take(4)
                try body(field, .fixed32(s.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }))
            default: throw DecodeError("\(message): unsupported wire type \(k & 7) (field \(field))")
            }
        }
    }
}
