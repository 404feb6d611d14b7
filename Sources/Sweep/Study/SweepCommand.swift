/// A command a study runs, as the `retort` executable describes it to the sweep engine
/// (the engine never imports an engine target: it runs `retort` as child processes).
public struct SweepCommand: Sendable {
    /// How a point's options reach the child.
    public enum Options: Sendable {
        /// Written to a YAML config file passed as `--config FILE`; `validate` reads such a
        /// file as the command's `--config` does (throws its one-line error).
        case configFile(validate: @Sendable (_ bytes: [UInt8], _ path: String) throws -> Void)
        /// Given as `--name value` flags (`--name` alone for a true boolean in `booleans`).
        case flags(booleans: Set<String>)
    }

    /// Where a point's run folder goes.
    public enum Layout: Sendable {
        /// `--runs RUNS --name ID`: the run folder is `RUNS/ID`.
        case named
        /// `--runs RUNS/ID`: the command makes its run folder (and perhaps others) inside.
        case rootPerPoint
        /// The command writes no run folder: the sweep makes `RUNS/ID` and keeps the log there.
        case report
        /// As `report`, and the command writes its files under `--out RUNS/ID` (`sim scalesim`).
        case reportOut
    }

    /// As the study file names it: "train", "attention train", "sim vitality".
    public let name: String
    /// The option names a study may set (kebab-case, as the flags spell them).
    public let keys: [String]
    public let options: Options
    public let layout: Layout
    /// The seed flag ("--seed"; "--seeds" for `attention train`); nil when the command takes no seed.
    public let seedFlag: String?
    /// Whether the command takes `--threads`.
    public let threads: Bool
    /// Flags every point's child gets (e.g. "--plain").
    public let extra: [String]
    /// Whether `retort resume RUN` continues its runs.
    public let resumable: Bool

    public init(name: String, keys: [String], options: Options, layout: Layout, seedFlag: String?, threads: Bool,
                extra: [String], resumable: Bool) {
        self.name = name; self.keys = keys; self.options = options; self.layout = layout
        self.seedFlag = seedFlag; self.threads = threads; self.extra = extra; self.resumable = resumable
    }

    /// The words after `retort` ("attention train" → ["attention", "train"]).
    public var words: [String] { name.split(separator: " ").map(String.init) }

    /// Whether this is a simulator command (collect adds the Pareto front).
    public var isSimulator: Bool { words.first == "sim" }

    /// Whether the sweep keeps the point's log as its run folder's `report.txt`.
    public var keepsReport: Bool { layout == .report || layout == .reportOut }

    /// Option names a study may not set for this command: the sweep's own, except the flags a
    /// flags command takes itself (`sim scalesim --config` is its SCALE-Sim .cfg file).
    public var reservedKeys: Set<String> {
        if case .flags = options { return Self.reserved.subtracting(keys) }
        return Self.reserved
    }

    /// Option names the sweep itself sets for every point.
    public static let reserved: Set<String> = ["seed", "seeds", "threads", "runs", "run-root", "name", "run-name", "config", "kinds", "plain"]
}
