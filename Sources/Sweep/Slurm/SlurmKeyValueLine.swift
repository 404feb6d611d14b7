/// One line of `Key=Value Key=Value …` as `scontrol show job -o` and the jobcomp/filetxt log
/// write it. Values may contain spaces (a WorkDir with a space), so a new pair starts only
/// where a space is followed by a key (a letter, then letters, digits, `_ : /`) and `=`.
public struct SlurmKeyValueLine: Sendable, Equatable {
    public let fields: [String: String]

    public init(_ line: Substring) {
        var fields: [String: String] = [:]
        let chars = Array(line)
        var i = 0
        /// the index after `key=` when a key starts at `j`, else nil
        func keyEnd(_ j: Int) -> (String, Int)? {
            guard j < chars.count, chars[j].isASCII, chars[j].isLetter else { return nil }
            var k = j
            while k < chars.count, chars[k].isASCII, chars[k].isLetter || chars[k].isNumber || "_:/".contains(chars[k]) { k += 1 }
            guard k < chars.count, chars[k] == "=" else { return nil }
            return (String(chars[j..<k]), k + 1)
        }
        while i < chars.count {
            while i < chars.count, chars[i] == " " { i += 1 }
            guard let (key, start) = keyEnd(i) else {
                // not a pair: skip this word
                while i < chars.count, chars[i] != " " { i += 1 }
                continue
            }
            var end = start
            while end < chars.count {
                if chars[end] == " " {
                    var n = end; while n < chars.count, chars[n] == " " { n += 1 }
                    if n == chars.count || keyEnd(n) != nil { break }
                }
                end += 1
            }
            fields[key] = String(chars[start..<end])
            i = end
        }
        self.fields = fields
    }

    public subscript(_ key: String) -> String? { fields[key] }
}
