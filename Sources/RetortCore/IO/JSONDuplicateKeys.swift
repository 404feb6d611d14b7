/// Finds a key that appears twice in one JSON object.
///
/// Foundation's `JSONSerialization` and `JSONDecoder` silently keep one of two equal keys
/// (`{"clock_mhz": 500, "clock_mhz": 1}`), so a typo'd override can be ignored without a
/// word. Every reader of a user's JSON file (accelerator configs, run folders' config.json,
/// safetensors and checkpoint headers, a checkpoint's state) runs this scan over the bytes
/// first and refuses a duplicate in one line naming it.
///
/// The scan only tracks strings, `{ } [ ] , :` and line ends; it does not validate the
/// rest (the JSON parser that follows does). It never traps and never recurses, whatever
/// the bytes: unbalanced brackets are ignored, an unterminated string ends the scan.
/// Keys compare after escapes are decoded (`"a"` and `"\u0061"` are the same key) and
/// as Swift strings (so, as in a Swift dictionary, canonically equivalent spellings are
/// the same key).
public enum JSONDuplicateKeys {
    public struct Duplicate: Equatable, Sendable, CustomStringConvertible {
        /// The key as decoded, its dotted path from the top (`hardware.clock_mhz`; array
        /// elements as `[i]`), and the 1-based line of its second occurrence.
        public let key: String
        public let path: String
        public let line: Int
        public init(key: String, path: String, line: Int) { self.key = key; self.path = path; self.line = line }
        public var description: String { "duplicate key '\(path)' on line \(line) (each key may appear once per object)" }
    }

    /// An open object (its keys so far, expecting a key next?, the last key) or array (the
    /// index of its current element). Paths are only spelled out for a duplicate, so deep
    /// nesting costs linear time.
    private enum Frame {
        case object(keys: Set<String>, expectKey: Bool, lastKey: String?)
        case array(index: Int)
    }

    /// The dotted path of `key` inside the open frames.
    private static func path(_ stack: [Frame], _ key: String) -> String {
        var parts: [String] = []
        for f in stack.dropLast() {
            switch f {
            case .object(_, _, let k): parts.append((parts.isEmpty ? "" : ".") + (k ?? ""))
            case .array(let i): parts.append("[\(i)]")
            }
        }
        return parts.joined() + (parts.isEmpty ? "" : ".") + key
    }

    /// The first key repeated within one object, or nil.
    public static func first(in bytes: some Collection<UInt8>) -> Duplicate? {
        let b = Array(bytes)
        var stack: [Frame] = []
        var line = 1
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: "\""):
                let startLine = line
                guard let (s, end, lines) = string(b, from: i + 1) else { return nil }
                line += lines
                i = end
                if case .object(var keys, true, _)? = stack.last {
                    if keys.contains(s) { return Duplicate(key: s, path: path(stack, s), line: startLine) }
                    stack.removeLast()   // the set is then referenced once: inserting does not copy it
                    keys.insert(s)
                    stack.append(.object(keys: keys, expectKey: false, lastKey: s))
                }
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectKey: true, lastKey: nil))
            case UInt8(ascii: "["): stack.append(.array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let keys, _, let key)?: stack[stack.count - 1] = .object(keys: keys, expectKey: true, lastKey: key)
                case .array(let index)?: stack[stack.count - 1] = .array(index: index + 1)
                case nil: break
                }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Decodes the string whose body starts at `from`; returns it, the index of its closing
    /// quote and the line ends inside it, or nil when it never ends.
    private static func string(_ b: [UInt8], from start: Int) -> (String, Int, Int)? {
        var out: [UInt8] = []
        var lines = 0
        var i = start
        var pendingHigh: UInt32?
        func put(_ scalar: UInt32) {
            let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(u)).utf8))
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                if let h = pendingHigh { put(h) }
                let s = String(validating: out, as: UTF8.self) ?? "bytes:" + out.map { String($0, radix: 16) }.joined(separator: ",")
                return (s, i, lines)
            }
            if c == UInt8(ascii: "\n") { lines += 1 }
            guard c == UInt8(ascii: "\\"), i + 1 < b.count else {
                if let h = pendingHigh { put(h); pendingHigh = nil }
                out.append(c); i += 1; continue
            }
            let e = b[i + 1]
            i += 2
            if e == UInt8(ascii: "u"), i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) {
                i += 4
                if let h = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) { put(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00)); continue }
                    put(h)
                }
                if (0xD800...0xDBFF).contains(v) { pendingHigh = v } else { put(v) }
                continue
            }
            if let h = pendingHigh { put(h); pendingHigh = nil }
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            default: out.append(e)   // \" \\ \/ (and anything else, which the parser refuses)
            }
            if e == UInt8(ascii: "\n") { lines += 1 }
        }
        return nil
    }
}
