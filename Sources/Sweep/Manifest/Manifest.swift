import Foundation

/// A study folder's `manifest.json`: every point with its options and state.
public struct Manifest: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case queued, running, finished, failed
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var index: Int
        public var id: String
        public var condition: String
        /// The explicit condition's label (nil without `conditions:`).
        public var label: String?
        /// The axis values of the condition, in axis order.
        public var axes: [[String]]
        public var seed: UInt64
        /// Every option the child gets, in order, as [name, value].
        public var options: [[String]]
        /// The run folder, relative to the study folder (`runs/p003`).
        public var run: String
        public var state: State
        public var exitCode: Int?
        public var lastLine: String?
        public var started: String?
        public var finished: String?
        /// Seconds the last attempt took.
        public var seconds: Double?
        /// "host:pid" of the process running it (while running).
        public var worker: String?
        /// Attempts started so far.
        public var attempts: Int

        public init(_ p: Point) {
            index = p.index; id = p.id; condition = p.conditionKey; label = p.label
            axes = p.condition.map { [$0.0, $0.1] }; seed = p.seed
            options = p.options.map { [$0.0, $0.1] }
            run = "runs/\(p.id)"; state = .queued; attempts = 0
        }

        /// Whether this entry describes the same run as `p` (index, condition, options, seed).
        public func matches(_ p: Point) -> Bool {
            index == p.index && id == p.id && condition == p.conditionKey && label == p.label && seed == p.seed
                && options == p.options.map { [$0.0, $0.1] }
        }

        public var optionPairs: [(String, String)] { options.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
        public var axisPairs: [(String, String)] { axes.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
    }

    public var study: String
    public var command: String
    public var axes: [String]
    public var points: [Entry]

    public init(study: Study) {
        self.study = study.name
        command = study.command.name
        axes = study.axes.map(\.key)
        points = study.points.map(Entry.init)
    }

    /// Whether the manifest holds exactly the study's points.
    public func matches(_ study: Study) -> Bool {
        let p = study.points
        return p.count == points.count && zip(points, p).allSatisfy { $0.matches($1) } && command == study.command.name
    }

    public func count(_ s: State) -> Int { points.filter { $0.state == s }.count }

    static func timestamp(_ d: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
