import Foundation
import RetortCore
import RunKit
import TrainEngine

/// One condition of a comparison: a method preset plus option overrides.
public struct CompareCondition: Sendable, Equatable {
    public let label: String
    public let config: DistillConfig

    /// Parses "METHOD" or "METHOD:key=value:key=value" (keys as `DistillConfig.set`), applied
    /// on top of `base` (the options common to every condition). Seeds are set per run.
    public static func parse(_ spec: String, base: DistillConfig) throws -> CompareCondition {
        let parts = spec.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let head = parts.first, !head.isEmpty else { throw ConfigError("conditions: empty condition in '\(spec)'") }
        var c = base
        do { try c.set("method", head) } catch {
            throw ConfigError("conditions: unknown method '\(head)' (one of \(DistillMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for kv in parts.dropFirst() {
            guard let eq = kv.firstIndex(of: "=") else { throw ConfigError("conditions: '\(kv)' in '\(spec)' is not key=value") }
            let key = String(kv[..<eq]), value = String(kv[kv.index(after: eq)...])
            if ["seed", "threads", "data", "model", "split-seed", "test-count"].contains(key) {
                throw ConfigError("conditions: '\(key)' must be the same for every condition; pass it as an option of compare")
            }
            do { try c.set(key, value) } catch let e as ConfigError { throw ConfigError("conditions: \(spec): \(e.description)") }
        }
        try c.validate()
        return CompareCondition(label: spec, config: c)
    }
}

/// The result of one (condition, seed) run.
public struct CompareRun: Sendable, Codable, Equatable {
    public let condition: Int
    public let label: String
    public let seed: UInt64
    public let summary: DistillRunSummary
    public init(condition: Int, label: String, seed: UInt64, summary: DistillRunSummary) {
        self.condition = condition; self.label = label; self.seed = seed; self.summary = summary
    }
}

/// One row of the comparison table.
public struct CompareRow: Sendable, Equatable {
    public let label: String
    public let runs: Int
    public let studentMean: Double, studentStd: Double
    /// Paired difference to the baseline (same seeds): mean and std over seeds; wins = seeds where it is > 0.
    public let diffMean: Double, diffStd: Double
    /// Median of the paired differences (robust to one degenerate seed).
    public let diffMedian: Double
    public let wins: Int, ties: Int
    public let teacherMean: Double
    public let studentTrainMean: Double
    public let conflictFraction: Double, anyTensorConflictFraction: Double
    public let meanCosine: Double, cosineFirst10: Double, cosineLast10: Double
    public let meanKDWeight: Double
    public let secondsPerRun: Double
}

public enum Compare {
    static func median(_ a: [Double]) -> Double {
        let f = a.filter(\.isFinite).sorted()
        guard !f.isEmpty else { return .nan }
        return f.count % 2 == 1 ? f[f.count / 2] : (f[f.count / 2 - 1] + f[f.count / 2]) / 2
    }
    static func mean(_ a: [Double]) -> Double { let f = a.filter(\.isFinite); return f.isEmpty ? .nan : f.reduce(0, +) / Double(f.count) }
    /// Sample standard deviation (n − 1); NaN below two values.
    static func std(_ a: [Double]) -> Double {
        let f = a.filter(\.isFinite)
        guard f.count > 1 else { return .nan }
        let m = f.reduce(0, +) / Double(f.count)
        return (f.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(f.count - 1)).squareRoot()
    }

    /// Aggregates runs per condition; differences are paired by seed against `baseline`.
    public static func table(_ runs: [CompareRun], conditions: [CompareCondition], baseline: Int) -> [CompareRow] {
        var base: [UInt64: Double] = [:]
        for r in runs where r.condition == baseline { base[r.seed] = r.summary.studentTestAccuracy }
        return conditions.indices.map { ci in
            let rs = runs.filter { $0.condition == ci }.sorted { $0.seed < $1.seed }
            let acc = rs.map(\.summary.studentTestAccuracy)
            let diffs = rs.compactMap { r in base[r.seed].map { r.summary.studentTestAccuracy - $0 } }
            return CompareRow(
                label: conditions[ci].label, runs: rs.count, studentMean: mean(acc), studentStd: std(acc),
                diffMean: mean(diffs), diffStd: std(diffs), diffMedian: median(diffs),
                wins: diffs.filter { $0 > 1e-12 }.count, ties: diffs.filter { abs($0) <= 1e-12 }.count,
                teacherMean: mean(rs.map(\.summary.teacherTestAccuracy)),
                studentTrainMean: mean(rs.map(\.summary.studentTrainAccuracy)),
                conflictFraction: mean(rs.map(\.summary.conflictFraction)),
                anyTensorConflictFraction: mean(rs.map(\.summary.anyTensorConflictFraction)),
                meanCosine: mean(rs.map(\.summary.meanCosine)),
                cosineFirst10: mean(rs.map(\.summary.cosineFirst10)), cosineLast10: mean(rs.map(\.summary.cosineLast10)),
                meanKDWeight: mean(rs.map(\.summary.meanKDWeight)),
                secondsPerRun: mean(rs.map(\.summary.seconds)))
        }
    }

    /// Paired differences only, against another baseline.
    public static func differences(_ rows: [CompareRow], baselineLabel: String) -> String {
        var out = "| condition | Δ vs \(baselineLabel) (paired, pp) | median Δ | wins |\n|---|---|---|---|\n"
        for r in rows where r.label != baselineLabel {
            let m = r.diffMean.isFinite ? String(format: "%+.2f", 100 * r.diffMean) + (r.diffStd.isFinite ? String(format: " ± %.2f", 100 * r.diffStd) : "") : "–"
            let med = r.diffMedian.isFinite ? String(format: "%+.2f", 100 * r.diffMedian) : "–"
            out += "| \(r.label) | \(m) | \(med) | \(r.wins)/\(r.runs) |\n"
        }
        return out
    }

    /// The table as Markdown (percentages for accuracies and fractions).
    public static func markdown(_ rows: [CompareRow], baselineLabel: String) -> String {
        func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.2f", 100 * v) : "–" }
        func pm(_ m: Double, _ s: Double, signed: Bool = false) -> String {
            guard m.isFinite else { return "–" }
            let a = String(format: signed ? "%+.2f" : "%.2f", 100 * m)
            return s.isFinite ? a + " ± " + String(format: "%.2f", 100 * s) : a
        }
        func num(_ v: Double, _ f: String = "%+.3f") -> String { v.isFinite ? String(format: f, v) : "–" }
        var out = "| condition | student test acc % | Δ vs \(baselineLabel) (paired, pp) | median Δ | wins | teacher test acc % | student train acc % | conflicting steps % (whole) | ≥1 tensor conflicting % | cos mean (first 10% → last 10%) | KD weight | s/run |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let isBase = r.label == baselineLabel
            out += "| \(r.label) | \(pm(r.studentMean, r.studentStd)) | \(isBase ? "(baseline)" : pm(r.diffMean, r.diffStd, signed: true)) | "
            out += "\(isBase ? "–" : pm(r.diffMedian, .nan, signed: true)) | "
            out += "\(isBase ? "–" : "\(r.wins)/\(r.runs)") | \(pct(r.teacherMean)) | \(pct(r.studentTrainMean)) | \(pct(r.conflictFraction)) | "
            out += "\(pct(r.anyTensorConflictFraction)) | \(num(r.meanCosine)) (\(num(r.cosineFirst10)) → \(num(r.cosineLast10))) | "
            out += "\(num(r.meanKDWeight, "%.3f")) | \(String(format: "%.2f", r.secondsPerRun)) |\n"
        }
        return out
    }
}
