/// An array read from a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0): the
/// element type, the shape and the raw little- or big-endian bytes in C order.
///
/// The header is the Python dict literal NumPy writes, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`, parsed
/// with the format's rules: single- or double-quoted strings, `True`/`False`, tuples
/// with an optional trailing comma (`(5,)`), keys in any order, exactly these three
/// keys. Fortran-order arrays are reordered to C order on reading.
public struct NpyArray: Sendable {
    public let dtype: NpyDType
    public let shape: [Int]
    /// `shape.product × dtype.size` bytes, C order, in the file's byte order.
    public let data: [UInt8]

    public var count: Int { shape.reduce(1, *) }
}

/// A NumPy scalar type as spelt in `descr`: `|u1`, `<f4`, `<i8`, `>i4`, `|b1` …
public struct NpyDType: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Character, Sendable { case unsigned = "u", signed = "i", float = "f", bool = "b" }
    public let kind: Kind
    public let size: Int
    public let bigEndian: Bool
    public let descr: String
    public var description: String { descr }

    /// Parses a `descr` string; nil when it is not a plain numeric type.
    init?(_ descr: String) {
        var chars = Array(descr)
        var big = false
        if let first = chars.first, "<>|=".contains(first) {
            big = first == ">"
            chars.removeFirst()
        }
        guard chars.count >= 2, let kind = Kind(rawValue: chars[0]), let size = Int(String(chars[1...])) else { return nil }
        switch kind {
        case .unsigned, .signed: guard [1, 2, 4, 8].contains(size) else { return nil }
        case .float: guard [4, 8].contains(size) else { return nil }
        case .bool: guard size == 1 else { return nil }
        }
        self.kind = kind; self.size = size; self.bigEndian = big && size > 1; self.descr = descr
    }

    /// Element `i` of `bytes` as an integer (integer and bool kinds only).
    func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int64 {
        let raw = load(bytes, i)
        switch (kind, size) {
        case (.signed, 1): return Int64(Int8(truncatingIfNeeded: raw))
        case (.signed, 2): return Int64(Int16(truncatingIfNeeded: raw))
        case (.signed, 4): return Int64(Int32(truncatingIfNeeded: raw))
        case (.signed, _): return Int64(bitPattern: raw)
        case (.unsigned, 8): return raw > UInt64(Int64.max) ? -1 : Int64(raw)  // caller treats negative as out of range
        default: return Int64(raw)
        }
    }

    /// Element `i` of `bytes` as a Float (float kinds only).
    func float(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Float {
        let raw = load(bytes, i)
        return size == 4 ? Float(bitPattern: UInt32(truncatingIfNeeded: raw)) : Float(Double(bitPattern: raw))
    }

    private func load(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        var v: UInt64 = 0
        let base = i * size
        if bigEndian {
            for k in 0..<size { v = v << 8 | UInt64(bytes[base + k]) }
        } else {
            for k in (0..<size).reversed() { v = v << 8 | UInt64(bytes[base + k]) }
        }
        return v
    }
}

extension NpyArray {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// True when `bytes` starts with the `.npy` magic string.
    public static func isNpy(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    /// Parses a whole `.npy` file held in memory; the array may take at most `budget` bytes.
    public static func parse(bytes: [UInt8], file: String, budget: Int = Int.max) throws -> NpyArray {
        guard bytes.count >= 10 else { throw DataError(file: file, "truncated .npy file: \(bytes.count) bytes, shorter than the 10-byte preamble") }
        guard isNpy(bytes) else { throw DataError(file: file, "magic: not a NumPy .npy file (expected \\x93NUMPY)") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError(file: file, "truncated .npy file: the header length is cut off") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; headerStart = 12
        default:
            throw DataError(file: file, "version: .npy format version \(major).\(bytes[7]) is not supported (1.0, 2.0, 3.0)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DataError(file: file, "truncated .npy file: the header needs \(headerLength) bytes, the file has \(bytes.count - headerStart)")
        }
        let headerBytes = Array(bytes[headerStart..<(headerStart + headerLength)])
        let header = try NpyHeader.parse(headerBytes, utf8: major == 3, file: file)
        guard let dtype = NpyDType(header.descr) else {
            throw DataError(file: file, "descr: '\(header.descr)' is not supported (numeric types such as |u1, |i1, <i4, <i8, <f4, <f8)")
        }
        let byteCount = MemoryBudget.product(header.shape + [dtype.size])
        try MemoryBudget.check(byteCount, budget: budget, file: file)
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        guard let byteCount, available >= byteCount else {
            throw DataError(file: file, "truncated .npy file: shape \(shapeText(header.shape)) of \(dtype) needs \(byteCount ?? 0) data bytes, the file has \(available)")
        }
        var data = Array(bytes[dataStart..<(dataStart + byteCount)])
        if header.fortranOrder && header.shape.count > 1 {
            data = cOrder(fortran: data, shape: header.shape, itemSize: dtype.size)
        }
        return NpyArray(dtype: dtype, shape: header.shape, data: data)
    }

    static func shapeText(_ shape: [Int]) -> String { "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")") }

    /// Fortran (column-major) data of `shape` rewritten in C (row-major) order.
    static func cOrder(fortran data: [UInt8], shape: [Int], itemSize: Int) -> [UInt8] {
        let n = shape.reduce(1, *)
        var out = [UInt8](repeating: 0, count: data.count)
        var fStrides = [Int](repeating: 1, count: shape.count)
        for k in 1..<shape.count { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<n {
            var f = 0
            for k in 0..<shape.count { f += index[k] * fStrides[k] }
            for b in 0..<itemSize { out[c * itemSize + b] = data[f * itemSize + b] }
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0; k -= 1
            }
        }
        return out
    }
}

/// The three keys of a `.npy` header dict.
struct NpyHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    static func parse(_ bytes: [UInt8], utf8: Bool, file: String) throws -> NpyHeader {
        if !utf8, bytes.contains(where: { $0 >= 0x80 }) {
            throw DataError(file: file, "header: not ASCII (versions 1.0 and 2.0 headers are latin-1 text)")
        }
        var p = Parser(chars: Array(String(decoding: bytes, as: UTF8.self).unicodeScalars), file: file)
        return try p.dict()
    }

    struct Parser {
        let chars: [Unicode.Scalar]
        let file: String
        var i = 0

        func fail(_ what: String) -> DataError {
            DataError(file: file, "header: \(what) (a dict like {'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W), })")
        }
        mutating func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\n" || chars[i] == "\t" || chars[i] == "\r" { i += 1 } }
        mutating func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard i < chars.count, chars[i] == c else { throw fail(i < chars.count ? "expected '\(c)' at offset \(i), found '\(chars[i])'" : "expected '\(c)', the header ends") }
            i += 1
        }
        mutating func peek(_ c: Unicode.Scalar) -> Bool { skipSpace(); return i < chars.count && chars[i] == c }

        mutating func string() throws -> String {
            skipSpace()
            guard i < chars.count, chars[i] == "'" || chars[i] == "\"" else { throw fail("expected a quoted string at offset \(i)") }
            let q = chars[i]; i += 1
            var s = ""
            while i < chars.count, chars[i] != q {
                if chars[i] == "\\" { throw fail("escapes in strings are not supported") }
                s.unicodeScalars.append(chars[i]); i += 1
            }
            guard i < chars.count else { throw fail("unterminated string") }
            i += 1
            return s
        }

        mutating func word() -> String {
            skipSpace()
            var s = ""
            while i < chars.count, chars[i].properties.isAlphabetic || ("0"..."9").contains(chars[i]) { s.unicodeScalars.append(chars[i]); i += 1 }
            return s
        }

        mutating func tuple() throws -> [Int] {
            try expect("(")
            var out = [Int]()
            while !peek(")") {
                let w = word()
                guard let v = Int(w.hasSuffix("L") ? String(w.dropLast()) : w), v >= 0 else {
                    throw fail("shape: '\(w)' is not a dimension (non-negative integers)")
                }
                out.append(v)
                if peek(",") { i += 1 } else { guard peek(")") else { throw fail("shape: expected ',' or ')'") }; break }
            }
            try expect(")")
            return out
        }

        mutating func dict() throws -> NpyHeader {
            try expect("{")
            var descr: String?, fortran: Bool?, shape: [Int]?
            while !peek("}") {
                let key = try string()
                try expect(":")
                switch key {
                case "descr":
                    if peek("[") { throw fail("descr: structured dtypes are not supported (a plain numeric type such as '|u1' or '<f4')") }
                    descr = try string()
                case "fortran_order":
                    switch word() {
                    case "True": fortran = true
                    case "False": fortran = false
                    case let w: throw fail("fortran_order: '\(w)' is not True or False")
                    }
                case "shape": shape = try tuple()
                default: throw fail("unknown key '\(key)'")
                }
                if peek(",") { i += 1 } else { break }
            }
            try expect("}")
            guard let descr else { throw fail("missing key 'descr'") }
            guard let fortran else { throw fail("missing key 'fortran_order'") }
            guard let shape else { throw fail("missing key 'shape'") }
            return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
        }
    }
}
