import Foundation

/// Learning curves from run folders' metrics.csv: runs whose config.json differ only in the
/// seed (or, with `groupBy`, share that option's value) form one group, drawn as the mean
/// over its runs with a ±1 std band (a group of one run is its line alone).
public enum Curves {
    public struct Run: Sendable {
        public var name: String
        public var options: [String: String]
        public var epochs: [Double]
        public var values: [Double]
        public init(name: String, options: [String: String], epochs: [Double], values: [Double]) {
            self.name = name; self.options = options; self.epochs = epochs; self.values = values
        }
    }

    /// Options that name a run rather than describe it: never a reason to split a group.
    static let bookkeeping: Set<String> = ["seed", "splitSeed", "runName", "runRoot", "threads", "name", "resumeFrom"]

    /// The column the metric names: itself, else `test_acc` spelled out (`test_accuracy`,
    /// `student_test_acc`), else an error listing the columns.
    static func column(_ metric: String?, in t: CSVTable) throws -> Int {
        let candidates = metric.map { m in [m, m.replacingOccurrences(of: "_acc", with: "_accuracy"), "student_" + m] }
            ?? ["test_accuracy", "student_test_acc"]
        for c in candidates { if let i = t.index(c) { return i } }
        throw PlotError("\(t.file): --metric: no column '\(metric ?? "test_accuracy")' (columns: \(t.header.joined(separator: ", ")))")
    }

    public static func read(run folder: String, metric: String?) throws -> Run {
        let t = try CSVTable.read((folder as NSString).appendingPathComponent("metrics.csv"))
        let x = try t.require("epoch", for: "epochs")
        let y = try column(metric, in: t)
        var options: [String: String] = [:]
        if let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("config.json")),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for (k, v) in obj { options[k] = text(v) }
        }
        return Run(name: (folder as NSString).lastPathComponent, options: options, epochs: t.numbers(x), values: t.numbers(y))
    }

    /// An option's value as a label shows it.
    static func text(_ v: Any) -> String {
        if let a = v as? [Any] { return "[" + a.map(text).joined(separator: ",") + "]" }
        if let n = v as? NSNumber, let d = Double(exactly: n), d == d.rounded(), abs(d) < 1e15, !(v is Bool) { return String(Int64(d)) }
        return "\(v)"
    }

    /// Groups: label → runs, in the order of first appearance.
    public static func groups(_ runs: [Run], by key: String?) -> [(label: String, runs: [Run])] {
        let keys: [String]
        if let key { keys = [key] } else {
            let all = Set(runs.flatMap { $0.options.keys }).subtracting(bookkeeping)
            keys = all.filter { k in Set(runs.map { $0.options[k] ?? "" }).count > 1 }.sorted()
        }
        var order: [String] = [], members: [String: [Run]] = [:]
        for r in runs {
            let label = keys.isEmpty ? (runs.count == 1 ? r.name : "mean of \(runs.count) seeds")
                                     : keys.map { "\($0)=\(r.options[$0] ?? "–")" }.joined(separator: ", ")
            if members[label] == nil { order.append(label) }
            members[label, default: []].append(r)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// Mean and (sample) standard deviation at each epoch the group's runs share.
    public static func meanStd(_ runs: [Run]) -> (x: [Double], mean: [Double], std: [Double]) {
        let n = runs.map(\.epochs.count).min() ?? 0
        var xs: [Double] = [], m: [Double] = [], s: [Double] = []
        for i in 0..<n {
            let v = runs.map { $0.values[i] }.filter(\.isFinite)
            let mean = v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
            let std = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
            xs.append(runs[0].epochs[i]); m.append(mean); s.append(std)
        }
        return (xs, m, s)
    }

    public static func figure(_ runs: [Run], metric: String, groupBy: String?, size: FigureSize = .single) -> Figure {
        var marks: [Mark] = [], legend: [LegendEntry] = []
        for (i, g) in groups(runs, by: groupBy).enumerated() {
            let c = Palette.color(i)
            let (x, mean, std) = meanStd(g.runs)
            if g.runs.count > 1 {
                marks.append(.band(x: x, low: zip(mean, std).map { $0 - $1 }, high: zip(mean, std).map { $0 + $1 }, color: c.withAlpha(0.25)))
            }
            marks.append(.line(zip(x, mean).map { DataPoint($0, $1) }, color: c, width: Style.lineWidth))
            legend.append(LegendEntry(g.runs.count > 1 ? "\(g.label) (n=\(g.runs.count))" : g.label, c, .line(dashed: false)))
        }
        return Figure(size: size, x: Axis("epoch"), y: Axis(metric), marks: marks, legend: legend)
    }
}
