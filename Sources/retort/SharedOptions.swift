import ArgumentParser
import RetortData
import RunKit
import TrainEngine

extension SampleData: ExpressibleByArgument {}
extension TrainConfig.ModelKind: ExpressibleByArgument {}
extension TrainConfig.OptimizerKind: ExpressibleByArgument {}

/// `--data-dir`: the folder holding the sample data sets.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder holding the sample data sets (default: auto-detected sample-data/).") var dataDir: String?

    /// The folder given or found; when there is none the program ends with one line (exit 2).
    func directory() -> String {
        guard let dir = DataLocator.find(explicit: dataDir) else {
            if dataDir == nil, let env = DataLocator.environmentFolder {
                fail("RETORT_DATA=\(env): no such folder (set it to the folder with \(SampleData.allCases.map(\.fileName).joined(separator: " / ")), or unset it)")
            }
            fail("data folder not found: pass --data-dir DIR (a folder with \(SampleData.allCases.map(\.fileName).joined(separator: " / "))) or set RETORT_DATA")
        }
        return dir
    }
}

/// Where a run's folder goes and what drives it: `--runs`, `--name`, `--seed`, `--threads`.
struct RunOptions: ParsableArguments {
    @Option(help: "Folder that holds run folders.") var runs: String = "runs"
    @Option(help: "Run folder name (default: a timestamp, the run's settings and its seed).") var name: String?
    @Option(help: "Seed of the initialisation, data order, augmentation and sampling (train: also of the data split).") var seed: UInt64 = 1
    @Option(help: "Threads for BLAS and Retort's loops.") var threads: Int = 2

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("threads: must be in 1…256, got \(threads)") }
    }
}

/// Checkpoints written during a run: `--checkpoint-every`, `--keep-checkpoints`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Also write a checkpoint every N steps (0 = only at the end of each epoch, which always writes one; `retort resume RUN` continues).") var checkpointEvery: Int = 0
    @Option(help: "Checkpoints kept in the run folder's checkpoints/ (older ones are deleted).") var keepCheckpoints: Int = 3

    func validate() throws {
        guard checkpointEvery >= 0 else { throw ValidationError("checkpoint-every: must be ≥ 0 steps (0 = at the end of each epoch only), got \(checkpointEvery)") }
        guard checkpointEvery <= OptionBounds.checkpointEvery else { throw ValidationError("checkpoint-every: must be at most \(OptionBounds.checkpointEvery) steps, got \(checkpointEvery)") }
        guard (1...1000).contains(keepCheckpoints) else { throw ValidationError("keep-checkpoints: must be in 1…1000, got \(keepCheckpoints)") }
    }
}

/// The defaults of `OptimOptions` for one engine (its config's own defaults).
protocol OptimDefaults {
    static var epochs: Int { get }
    static var batchSize: Int { get }
    static var optimizer: TrainConfig.OptimizerKind { get }
    static var lr: Float { get }
    static var momentum: Float { get }
    static var weightDecay: Float { get }
    static var labelSmoothing: Float { get }
    static var warmupEpochs: Float { get }
}

/// The optimiser and schedule of a run, with the defaults of engine `D`. Ranges are
/// checked by the engine's config (`validate()` of the command's options).
struct OptimOptions<D: OptimDefaults>: ParsableArguments {
    @Option(help: "Epochs.") var epochs: Int = D.epochs
    @Option(help: "Mini-batch size.") var batchSize: Int = D.batchSize
    @Option(help: "Optimiser: SGD with (Nesterov) momentum or AdamW.") var optimizer: TrainConfig.OptimizerKind = D.optimizer
    @Option(help: "Base learning rate (cosine schedule after a linear warm-up).") var lr: Float = D.lr
    @Option(help: "SGD momentum.") var momentum: Float = D.momentum
    @Flag(help: "Plain momentum instead of Nesterov.") var noNesterov = false
    @Option(help: "Weight decay (skips biases and normalisation parameters).") var weightDecay: Float = D.weightDecay
    @Option(help: "Label smoothing of the cross-entropy.") var labelSmoothing: Float = D.labelSmoothing
    @Option(help: "Linear learning-rate warm-up epochs.") var warmupEpochs: Float = D.warmupEpochs
}

enum TrainDefaults: OptimDefaults {
    static var epochs: Int { TrainConfig().epochs }
    static var batchSize: Int { TrainConfig().batchSize }
    static var optimizer: TrainConfig.OptimizerKind { TrainConfig().optimizer }
    static var lr: Float { TrainConfig().lr }
    static var momentum: Float { TrainConfig().momentum }
    static var weightDecay: Float { TrainConfig().weightDecay }
    static var labelSmoothing: Float { TrainConfig().labelSmoothing }
    static var warmupEpochs: Float { TrainConfig().warmupEpochs }
}

/// A comma-separated option value of typed elements (`--kinds softmax,taylor`); an element
/// that does not parse makes the whole value a usage error.
struct CommaList<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var out: [Element] = []
        for p in parts {
            guard let v = Element(argument: p) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }

    var description: String { values.map(\.defaultValueDescription).joined(separator: ",") }
    var defaultValueDescription: String { description }
    static var allValueStrings: [String] { Element.allValueStrings }
}

/// The options of a benchmark that can also run its PyTorch counterpart (tools/pytorch/):
/// `--batch`, `--threads`, `--python`.
struct TorchBenchOptions: ParsableArguments {
    @Option(help: "Mini-batch size.") var batch: Int = 64
    @Option(help: "Threads (BLAS and Retort loops; torch.set_num_threads for PyTorch).") var threads: Int = 2
    @Option(help: "A Python with torch installed: also runs the same benchmark in PyTorch (tools/pytorch/) and prints the ratio.") var python: String?

    func validate() throws {
        guard batch >= 1, threads >= 1 else { throw ValidationError("--batch and --threads must be ≥ 1") }
        guard batch <= 65_536, threads <= 256 else { throw ValidationError("--batch must be at most 65536 and --threads at most 256, got \(batch) and \(threads)") }
    }
}
