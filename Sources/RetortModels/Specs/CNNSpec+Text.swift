import Foundation

/// The text form of `--cnn`: `;`-separated parts, in any order —
/// `stem=C/S` (stem channels and stride; `stem=C` means stride 2), one `t,c,n,s[,k]` part per
/// row (expand, channels, repeats, stride, depthwise kernel; k defaults to 3), `head=C`, and
/// optionally `res=H×W` (or `res=HxW`, `res=N` for N×N; default: the data's images). E.g.
/// `stem=16/2; 1,16,1,1; 6,24,2,2; 6,32,3,2,5; head=96`.
extension CNNSpec {
    /// The accepted form, for help texts and errors.
    public static let grammar = "stem=C/S; t,c,n,s[,k]; …; head=C[; res=HxW]"

    public static func parse(_ text: String) throws -> CNNSpec {
        func fail(_ what: String) -> ModelSpecError { ModelSpecError("cnn: \(what) (form: \(grammar))") }
        func int(_ s: Substring, _ what: String) throws -> Int {
            let t = s.trimmingCharacters(in: .whitespaces)
            guard let v = Int(t), v >= 0 else { throw fail("\(what): '\(t)' is not a whole number ≥ 0") }
            return v
        }
        var stem: (Int, Int)?, head: Int?, res: Resolution?
        var rows: [Row] = []
        let parts = text.split(separator: ";", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw fail("empty spec") }
        guard parts.count <= maxBlocks + 3 else { throw fail("\(parts.count) parts, at most \(maxBlocks + 3)") }
        for p in parts {
            if let eq = p.firstIndex(of: "=") {
                let key = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased(), value = p[p.index(after: eq)...]
                switch key {
                case "stem":
                    guard stem == nil else { throw fail("stem: given twice") }
                    let f = value.split(separator: "/", omittingEmptySubsequences: false)
                    guard f.count <= 2 else { throw fail("stem: '\(value)' is not C or C/S") }
                    stem = (try int(f[0], "stem channels"), f.count == 2 ? try int(f[1], "stem stride") : 2)
                case "head":
                    guard head == nil else { throw fail("head: given twice") }
                    head = try int(value[...], "head channels")
                case "res", "resolution":
                    guard res == nil else { throw fail("res: given twice") }
                    let f = value.split(whereSeparator: { $0 == "x" || $0 == "X" || $0 == "×" }).map { $0 }
                    guard f.count == 1 || f.count == 2 else { throw fail("res: '\(value)' is not H×W or N") }
                    let h = try int(f[0], "res height")
                    res = Resolution(height: h, width: f.count == 2 ? try int(f[1], "res width") : h)
                default:
                    throw fail("unknown part '\(key)=' (allowed: stem=, head=, res=, or a row t,c,n,s[,k])")
                }
                continue
            }
            let f = p.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 4 || f.count == 5 else {
                throw fail("row \(rows.count + 1) '\(p)': a row is t,c,n,s[,k] (expand, channels, repeats, stride, kernel), got \(f.count) numbers")
            }
            let at = "row \(rows.count + 1)"
            rows.append(Row(expand: try int(f[0], "\(at) expand t"), channels: try int(f[1], "\(at) channels c"),
                            repeats: try int(f[2], "\(at) repeats n"), stride: try int(f[3], "\(at) stride s"),
                            kernel: f.count == 5 ? try int(f[4], "\(at) kernel k") : nil))
        }
        guard let s = stem else { throw fail("stem: missing (stem=C/S)") }
        guard let h = head else { throw fail("head: missing (head=C)") }
        let spec = CNNSpec(stem: s.0, stemStride: s.1, rows: rows, head: h, resolution: res)
        try spec.validate()
        return spec
    }

    /// The canonical text (parses back to the same spec).
    public var text: String {
        var parts = ["stem=\(stem)/\(stemStride)"]
        parts += rows.map { r in "\(r.expand),\(r.channels),\(r.repeats),\(r.stride)" + (r.kernel.map { ",\($0)" } ?? "") }
        parts.append("head=\(head)")
        if let r = resolution { parts.append("res=\(r.height)x\(r.width)") }
        return parts.joined(separator: "; ")
    }
}
