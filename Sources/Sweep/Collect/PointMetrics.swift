import Foundation

/// A finished point's final metrics, as its run folder holds them.
public enum PointMetrics {
    /// The run's last epoch record of `metrics.jsonl` (every number but step and epoch), or
    /// for a simulator report its figures.
    public static func read(runFolder: URL) -> [(String, Double)] {
        let report = runFolder.appendingPathComponent("report.txt")
        if let text = try? String(contentsOf: report, encoding: .utf8) {
            if let csv = computeReport(in: runFolder) { return scaleSimReport(text, computeReport: csv) }
            return simulatorReport(text)
        }
        guard let text = try? String(contentsOf: runFolder.appendingPathComponent("metrics.jsonl"), encoding: .utf8) else { return [] }
        return finalEpoch(text)
    }

    /// Numbers of the last `"kind":"epoch"` line of a metrics.jsonl, in the line's order.
    public static func finalEpoch(_ jsonl: String) -> [(String, Double)] {
        for line in jsonl.split(separator: "\n").reversed() where line.contains("\"kind\":\"epoch\"") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            return orderedKeys(String(line)).compactMap { k in
                guard !["kind", "step", "epoch"].contains(k), let n = o[k] as? NSNumber, !(o[k] is Bool) else { return nil }
                return (k, n.doubleValue)
            }
        }
        return []
    }

    /// The keys of a flat JSON object line in their order.
    static func orderedKeys(_ line: String) -> [String] {
        var keys: [String] = []
        var rest = Substring(line)
        while let q = rest.range(of: "\"") {
            let after = rest[q.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            let word = String(after[..<end])
            let tail = after[after.index(after: end)...]
            if tail.first == ":" { keys.append(word) }
            rest = tail
        }
        return keys
    }

    /// The COMPUTE_REPORT.csv `retort sim scalesim --out RUN` wrote in `RUN/<run name>/`.
    static func computeReport(in runFolder: URL) -> String? {
        let subs = (try? FileManager.default.contentsOfDirectory(at: runFolder, includingPropertiesForKeys: nil)) ?? []
        for d in subs.sorted(by: { $0.path < $1.path }) {
            if let t = try? String(contentsOf: d.appendingPathComponent("COMPUTE_REPORT.csv"), encoding: .utf8) { return t }
        }
        return nil
    }

    /// `retort sim scalesim`'s figures: `latency_cycles` (total cycles), `stall_cycles`, the
    /// utilisations over the whole run (each layer's weighted by its cycles) `overall_util`,
    /// `mapping_efficiency`, `compute_util` (%), `layers`, and `area` as the array's processing
    /// elements (rows × cols of "on R×C" in the report).
    public static func scaleSimReport(_ text: String, computeReport csv: String) -> [(String, Double)] {
        var cycles = 0.0, stalls = 0.0, overall = 0.0, mapping = 0.0, compute = 0.0, layers = 0.0
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 7, let c = Double(f[2]), let s = Double(f[3]), let o = Double(f[4]), let m = Double(f[5]), let u = Double(f[6]) else { continue }
            cycles += c; stalls += s; overall += o * c; mapping += m * c; compute += u * c; layers += 1
        }
        guard layers > 0 else { return [] }
        var out: [(String, Double)] = [("latency_cycles", cycles), ("stall_cycles", stalls)]
        if cycles > 0 { out += [("overall_util", overall / cycles), ("mapping_efficiency", mapping / cycles), ("compute_util", compute / cycles)] }
        out.append(("layers", layers))
        for line in text.split(separator: "\n") where line.hasPrefix("run ") {
            guard let r = line.range(of: " layers on ") else { continue }
            let dims = line[r.upperBound...].prefix { $0 != " " }.split(separator: "×").compactMap { Double($0) }
            if dims.count == 2 { out.append(("area", dims[0] * dims[1])) }
            break
        }
        return out
    }

    /// `retort sim vitality`'s report: per attention kind simulated `latency_cycles` and
    /// `energy` (µJ), and `area` as the processing elements of the arrays (chunks × (SA-General
    /// rows × cols + SA-Diag rows)); the first kind's figures also without a prefix.
    public static func simulatorReport(_ text: String) -> [(String, Double)] {
        var out: [(String, Double)] = []
        var kind: String?
        var area: Double?
        func number(_ s: Substring) -> Double? { Double(s.filter { $0 != "," }) }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("hardware: ") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "," })
                let chunks = words.count > 1 ? number(words[1]) ?? 1 : 1
                func dims(after name: String) -> [Double] {
                    guard let i = words.firstIndex(where: { $0 == name }), i + 1 < words.count else { return [] }
                    return words[i + 1].split(separator: "×").compactMap { number($0) }
                }
                let g = dims(after: "SA-General"), d = dims(after: "SA-Diag")
                if g.count == 2 { area = chunks * (g[0] * g[1] + (d.first ?? 0)) }
            } else if line.hasPrefix("== "), line.hasSuffix(" =="), !line.contains(" vs ") {
                kind = String(line.dropFirst(3).dropLast(3))
            } else if let k = kind, line.hasPrefix("total cycles ") {
                let w = line.dropFirst("total cycles ".count).prefix { $0 != " " }
                if let c = number(w) { out.append(("\(k).latency_cycles", c)) }
            } else if let k = kind, line.hasPrefix("energy (µJ):"), let r = line.range(of: "; total ", options: .backwards) {
                if let e = number(line[r.upperBound...].prefix { $0 != " " }) { out.append(("\(k).energy", e)) }
            }
        }
        if let first = out.first?.0.split(separator: ".").first {
            let plain = out.filter { $0.0.hasPrefix("\(first).") }.map { (String($0.0.dropFirst(first.count + 1)), $0.1) }
            out = plain + out
        }
        if let area { out.append(("area", area)) }
        return out
    }
}
