import Foundation
import RetortCore

/// `retort sweep collect`: the finished points' final metrics as Markdown and CSV tables.
public struct Collector {
    public struct Row {
        public let entry: Manifest.Entry
        public let metrics: [(String, Double)]
        public func value(_ m: String) -> Double? { metrics.first { $0.0 == m }?.1 }
        public init(entry: Manifest.Entry, metrics: [(String, Double)]) { self.entry = entry; self.metrics = metrics }
    }

    public let study: Study
    public let manifest: Manifest
    public let rows: [Row]

    public init(study: Study, manifest: Manifest, rows: [Row]) {
        self.study = study; self.manifest = manifest; self.rows = rows
    }

    /// Reads each finished point's run folder.
    public init(study: Study, folder: StudyFolder) throws {
        let m = try folder.store.read()
        var rows: [Row] = []
        for e in m.points where e.state == .finished {
            guard let run = folder.runFolder(e, layout: study.command.layout) else { continue }
            let metrics = PointMetrics.read(runFolder: run)
            if !metrics.isEmpty { rows.append(Row(entry: e, metrics: metrics)) }
        }
        self.init(study: study, manifest: m, rows: rows)
    }

    /// Metric names in the order they first appear.
    public var metrics: [String] {
        var seen = Set<String>(), out: [String] = []
        for r in rows { for (k, _) in r.metrics where seen.insert(k).inserted { out.append(k) } }
        return out
    }

    /// Condition keys in manifest order, with their axis values.
    var conditions: [(key: String, axes: [String])] {
        var seen = Set<String>()
        var out: [(key: String, axes: [String])] = []
        for e in manifest.points where seen.insert(e.condition).inserted { out.append((key: e.condition, axes: e.axisPairs.map(\.1))) }
        return out
    }

    static func csv(_ v: Double?) -> String { v.map { $0.isFinite ? String(format: "%.10g", $0) : "" } ?? "" }
    static func md(_ v: Double?) -> String { v.map { String(format: "%.4g", $0) } ?? "–" }
    static func field(_ s: String) -> String {
        s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    // MARK: summary

    public struct SummaryLine {
        public let condition: String
        public let axes: [String]
        public let metric: String
        public let stats: SampleSummary
    }

    public var summary: [SummaryLine] {
        var out: [SummaryLine] = []
        for c in conditions {
            let rs = rows.filter { $0.entry.condition == c.key }
            for m in metrics {
                let v = rs.compactMap { $0.value(m) }
                if !v.isEmpty { out.append(SummaryLine(condition: c.key, axes: c.axes, metric: m, stats: SampleSummary(v))) }
            }
        }
        return out
    }

    public var summaryCSV: String {
        var s = (["condition"] + manifest.axes + ["metric", "n", "mean", "std", "ci95_low", "ci95_high"]).map(Self.field).joined(separator: ",") + "\n"
        for l in summary {
            s += ([l.condition] + l.axes + [l.metric, String(l.stats.n), Self.csv(l.stats.mean), Self.csv(l.stats.std),
                                             Self.csv(l.stats.ci95?.low), Self.csv(l.stats.ci95?.high)]).map(Self.field).joined(separator: ",") + "\n"
        }
        return s
    }

    public var summaryMarkdown: String {
        var s = "# \(study.name): summary\n\nPer condition and metric over seeds: mean ± sample std, 95 % CI (Student t).\n\n"
        s += "| condition | metric | n | mean ± std | 95 % CI |\n|---|---|---:|---|---|\n"
        for l in summary {
            let ci = l.stats.ci95.map { "[\(Self.md($0.low)), \(Self.md($0.high))]" } ?? "–"
            s += "| \(l.condition) | \(l.metric) | \(l.stats.n) | \(Self.md(l.stats.mean)) ± \(Self.md(l.stats.std)) | \(ci) |\n"
        }
        return s
    }

    // MARK: paired differences

    public struct PairedLine {
        public let condition: String
        public let axes: [String]
        public let baseline: String
        public let metric: String
        public let diff: SampleSummary
        /// Seeds where the condition beat the baseline (in the metric's better direction).
        public let wins: Int
        public let lowerIsBetter: Bool
    }

    public var paired: [PairedLine] {
        guard study.hasBaseline else { return [] }
        var out: [PairedLine] = []
        for c in conditions {
            let entry = manifest.points.first { $0.condition == c.key }!
            guard let base = study.baselineCondition(label: entry.label, axes: entry.axisPairs), base != c.key else { continue }
            let mine = rows.filter { $0.entry.condition == c.key }
            let theirs = Dictionary(rows.filter { $0.entry.condition == base }.map { ($0.entry.seed, $0) }, uniquingKeysWith: { a, _ in a })
            for m in metrics {
                let lower = MetricDirection.lowerIsBetter(m)
                let d = mine.compactMap { r -> Double? in
                    guard let a = r.value(m), let b = theirs[r.entry.seed]?.value(m) else { return nil }
                    return a - b
                }
                guard !d.isEmpty else { continue }
                let wins = d.filter { lower ? $0 < 0 : $0 > 0 }.count
                out.append(PairedLine(condition: c.key, axes: c.axes, baseline: base, metric: m, diff: SampleSummary(d), wins: wins, lowerIsBetter: lower))
            }
        }
        return out
    }

    public var pairedCSV: String {
        var s = (["condition"] + manifest.axes + ["baseline", "metric", "n", "mean_diff", "std", "ci95_low", "ci95_high", "wins", "better"]).map(Self.field).joined(separator: ",") + "\n"
        for l in paired {
            s += ([l.condition] + l.axes + [l.baseline, l.metric, String(l.diff.n), Self.csv(l.diff.mean), Self.csv(l.diff.std),
                                            Self.csv(l.diff.ci95?.low), Self.csv(l.diff.ci95?.high), String(l.wins), l.lowerIsBetter ? "lower" : "higher"])
                .map(Self.field).joined(separator: ",") + "\n"
        }
        return s
    }

    public var pairedMarkdown: String {
        var s = "# \(study.name): paired differences against the baseline\n\n"
        s += "Per seed: condition − baseline (same seed); mean ± std, 95 % CI (Student t), and the seeds where the condition is better.\n\n"
        s += "| condition | baseline | metric | n | mean diff ± std | 95 % CI | wins |\n|---|---|---|---:|---|---|---:|\n"
        for l in paired {
            let ci = l.diff.ci95.map { "[\(Self.md($0.low)), \(Self.md($0.high))]" } ?? "–"
            s += "| \(l.condition) | \(l.baseline) | \(l.metric) | \(l.diff.n) | \(Self.md(l.diff.mean)) ± \(Self.md(l.diff.std)) | \(ci) | \(l.wins)/\(l.diff.n) (\(l.lowerIsBetter ? "lower" : "higher") is better) |\n"
        }
        return s
    }

    // MARK: best

    public var bestMarkdown: String {
        var s = "# \(study.name): best per metric\n\n| metric | better | best condition (mean over seeds) | best point |\n|---|---|---|---|\n"
        let sum = summary
        for m in metrics {
            let lower = MetricDirection.lowerIsBetter(m)
            func better(_ a: Double, _ b: Double) -> Bool { lower ? a < b : a > b }
            let c = sum.filter { $0.metric == m }.reduce(nil as SummaryLine?) { best, l in best.map { better(l.stats.mean, $0.stats.mean) ? l : $0 } ?? l }
            let p = rows.filter { $0.value(m) != nil }.reduce(nil as Row?) { best, r in best.map { better(r.value(m)!, $0.value(m)!) ? r : $0 } ?? r }
            let cText = c.map { "\($0.condition): \(Self.md($0.stats.mean)) (n = \($0.stats.n))" } ?? "–"
            let pText = p.map { "\($0.entry.id) (\($0.entry.condition), seed \($0.entry.seed)): \(Self.md($0.value(m)))" } ?? "–"
            s += "| \(m) | \(lower ? "lower" : "higher") | \(cText) | \(pText) |\n"
        }
        return s
    }

    // MARK: Pareto (simulator sweeps)

    public static let paretoMetrics = ["latency_cycles", "energy", "area"]

    /// The Pareto metrics every collected point has (`sim scalesim` has no energy); the front
    /// applies with at least two.
    public var paretoKeys: [String] {
        let k = Self.paretoMetrics.filter { m in !rows.isEmpty && rows.allSatisfy { $0.value(m) != nil } }
        return k.count >= 2 ? k : []
    }

    public var paretoRows: [(Row, [Double], Bool)] {
        let keys = paretoKeys
        guard !keys.isEmpty else { return [] }
        let pts = rows.map { r in (r, keys.map { r.value($0)! }) }
        let front = Pareto.front(pts.map(\.1))
        return zip(pts, front).map { ($0.0, $0.1, $1) }
    }

    public var paretoCSV: String {
        var s = (["point"] + manifest.axes + paretoKeys + ["on_front"]).map(Self.field).joined(separator: ",") + "\n"
        for (r, v, f) in paretoRows {
            s += ([r.entry.id] + r.entry.axisPairs.map(\.1) + v.map { Self.csv($0) } + [f ? "true" : "false"]).map(Self.field).joined(separator: ",") + "\n"
        }
        return s
    }

    public var paretoMarkdown: String {
        let keys = paretoKeys
        let names = ["latency_cycles": "latency", "energy": "energy", "area": "area"]
        let heads = ["latency_cycles": "latency (cycles)", "energy": "energy (µJ)", "area": "area (PEs)"]
        var s = ""
        s += "# \(study.name): \(keys.map { names[$0]! }.joined(separator: " / ")) Pareto front\n\n"
        s += "Non-dominated points (no other point is at most as large in every one and smaller in one). Energy in µJ; area in processing elements.\n\n"
        s += "| point | condition | " + keys.map { heads[$0]! }.joined(separator: " | ") + " | on front |\n|---|---|" + String(repeating: "---:|", count: keys.count) + "---|\n"
        for (r, v, f) in paretoRows {
            s += "| \(r.entry.id) | \(r.entry.condition) | " + v.map { Self.md($0) }.joined(separator: " | ") + " | \(f ? "yes" : "") |\n"
        }
        return s
    }

    /// Writes the tables into `out`; returns the file names written.
    public func write(to out: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var files: [(String, String)] = [("summary.md", summaryMarkdown), ("summary.csv", summaryCSV), ("best.md", bestMarkdown)]
        if study.hasBaseline { files += [("paired.md", pairedMarkdown), ("paired.csv", pairedCSV)] }
        if study.command.isSimulator { files += [("pareto.md", paretoMarkdown), ("pareto.csv", paretoCSV)] }
        for (name, text) in files { try AtomicFile.write(text, to: out.appendingPathComponent(name)) }
        return files.map(\.0)
    }
}
