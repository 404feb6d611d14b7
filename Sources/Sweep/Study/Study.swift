import Foundation

/// A study file: a command, fixed options, explicit conditions and/or axes, sampling, seeds
/// and a baseline. The points are conditions × the axes' grid × seeds (each condition with
/// every grid value; without `conditions:` the grid alone, without `axes:` the conditions alone).
public struct Study: Sendable {
    /// One option value and the line that set it.
    public struct Setting: Sendable, Equatable {
        public let key: String
        public let value: String
        public let line: Int
    }

    /// An axis: an option and the values it takes, in order.
    public struct Axis: Sendable, Equatable {
        public let key: String
        public let values: [String]
        public let line: Int
    }

    /// An explicit condition: options that differ from condition to condition (not a grid),
    /// named by its label (given, or its options as `key=value,…`).
    public struct Condition: Sendable, Equatable {
        public let label: String
        public let settings: [Setting]
        public let line: Int
    }

    public enum Sampling: Sendable, Equatable {
        case grid
        /// `count` conditions drawn without replacement from the grid with `seed`.
        case random(count: Int, seed: UInt64)
    }

    public let name: String
    public let path: String
    public let command: SweepCommand
    public let options: [Setting]
    public let axes: [Axis]
    /// Explicit conditions (empty: the axes' grid alone).
    public let conditions: [Condition]
    public let sampling: Sampling
    public let seeds: [UInt64]
    /// Axis values of the baseline condition (collect's paired differences), if any.
    public let baseline: [Setting]
    /// The label of the baseline's explicit condition (`baseline: {condition: LABEL}`), if any.
    public let baselineLabel: String?
    /// The study file's bytes (copied into the study folder).
    public let bytes: [UInt8]

    /// The points to run: every explicit condition (in order) with every grid value of the
    /// axes, each with every seed; options fixed, then the condition's, then the axes'.
    public var points: [Point] {
        var out: [Point] = []
        let grid = StudyExpansion.conditions(axes: axes, sampling: sampling)
        let explicit: [Condition?] = conditions.isEmpty ? [nil] : conditions
        for e in explicit {
            for c in grid {
                for s in seeds {
                    var opts = options.map { ($0.key, $0.value) }
                    opts += (e?.settings ?? []).map { ($0.key, $0.value) }
                    opts += c.map { ($0.0, $0.1) }
                    out.append(Point(index: out.count, condition: c, options: opts, seed: s, label: e?.label))
                }
            }
        }
        return out
    }

    public init(name: String, path: String, command: SweepCommand, options: [Setting], axes: [Axis], conditions: [Condition] = [],
                sampling: Sampling, seeds: [UInt64], baseline: [Setting], baselineLabel: String? = nil, bytes: [UInt8]) {
        self.name = name; self.path = path; self.command = command; self.options = options; self.axes = axes
        self.conditions = conditions; self.sampling = sampling; self.seeds = seeds; self.baseline = baseline
        self.baselineLabel = baselineLabel; self.bytes = bytes
    }

    /// Whether the study names a baseline (collect's paired differences).
    public var hasBaseline: Bool { !baseline.isEmpty || baselineLabel != nil }

    /// The condition key of the baseline ("method=base"), with its other axes taken from `of`.
    public func baselineCondition(of condition: [(String, String)]) -> String? {
        baselineCondition(label: nil, axes: condition)
    }

    /// The condition key of the baseline of a point with this explicit condition and these axis
    /// values: the baseline's label (else the point's) with the baseline's axis values (else the point's).
    public func baselineCondition(label: String?, axes condition: [(String, String)]) -> String? {
        guard hasBaseline else { return nil }
        let b = Dictionary(baseline.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        return Point.key(label: baselineLabel ?? label, condition.map { ($0.0, b[$0.0] ?? $0.1) })
    }
}

/// One run of a study: a condition (an explicit condition's label and axis values) with a seed.
public struct Point: Sendable, Equatable {
    public let index: Int
    /// The axis values.
    public let condition: [(String, String)]
    /// The explicit condition's label (nil without `conditions:`).
    public let label: String?
    /// Every option the child gets (fixed, then axes), in order.
    public let options: [(String, String)]
    public let seed: UInt64

    public init(index: Int, condition: [(String, String)], options: [(String, String)], seed: UInt64, label: String? = nil) {
        self.index = index; self.condition = condition; self.options = options; self.seed = seed; self.label = label
    }

    public var id: String { String(format: "p%03d", index) }
    public var conditionKey: String { Self.key(label: label, condition) }

    /// "method=full,lr=0.01" ("all" without axes).
    public static func key(_ c: [(String, String)]) -> String { key(label: nil, c) }

    /// "LABEL,lr=0.01": the explicit condition's label, then the axis values ("all" without either).
    public static func key(label: String?, _ c: [(String, String)]) -> String {
        let parts = (label.map { [$0] } ?? []) + c.map { "\($0.0)=\($0.1)" }
        return parts.isEmpty ? "all" : parts.joined(separator: ",")
    }

    public static func == (a: Point, b: Point) -> Bool {
        a.index == b.index && a.seed == b.seed && a.conditionKey == b.conditionKey && a.label == b.label
            && a.options.map(\.0) == b.options.map(\.0) && a.options.map(\.1) == b.options.map(\.1)
    }
}
