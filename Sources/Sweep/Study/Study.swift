import Foundation

/// A study file: a command, fixed options, axes, sampling, seeds and a baseline.
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
    public let sampling: Sampling
    public let seeds: [UInt64]
    /// Axis values of the baseline condition (collect's paired differences), if any.
    public let baseline: [Setting]
    /// The study file's bytes (copied into the study folder).
    public let bytes: [UInt8]

    /// The points to run: every condition with every seed, condition by condition.
    public var points: [Point] {
        var out: [Point] = []
        for c in StudyExpansion.conditions(axes: axes, sampling: sampling) {
            for s in seeds {
                var opts = options.map { ($0.key, $0.value) }
                opts += c.map { ($0.0, $0.1) }
                out.append(Point(index: out.count, condition: c, options: opts, seed: s))
            }
        }
        return out
    }

    /// The condition key of the baseline ("method=base"), with its other axes taken from `of`.
    public func baselineCondition(of condition: [(String, String)]) -> String? {
        guard !baseline.isEmpty else { return nil }
        let b = Dictionary(baseline.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        return Point.key(condition.map { ($0.0, b[$0.0] ?? $0.1) })
    }
}

/// One run of a study: a condition (axis values) with a seed.
public struct Point: Sendable, Equatable {
    public let index: Int
    public let condition: [(String, String)]
    /// Every option the child gets (fixed, then axes), in order.
    public let options: [(String, String)]
    public let seed: UInt64

    public init(index: Int, condition: [(String, String)], options: [(String, String)], seed: UInt64) {
        self.index = index; self.condition = condition; self.options = options; self.seed = seed
    }

    public var id: String { String(format: "p%03d", index) }
    public var conditionKey: String { Self.key(condition) }

    /// "method=full,lr=0.01" ("all" without axes).
    public static func key(_ c: [(String, String)]) -> String {
        c.isEmpty ? "all" : c.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
    }

    public static func == (a: Point, b: Point) -> Bool {
        a.index == b.index && a.seed == b.seed && a.conditionKey == b.conditionKey
            && a.options.map(\.0) == b.options.map(\.0) && a.options.map(\.1) == b.options.map(\.1)
    }
}
