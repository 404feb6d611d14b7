import Foundation
import ArgumentParser
import RetortData
import RunKit
import TrainEngine
import RetortCore

extension SampleData: ExpressibleByArgument {}
extension TrainConfig.ModelKind: ExpressibleByArgument {}
extension TrainConfig.OptimizerKind: ExpressibleByArgument {}

/// `--data-dir`: the folder holding the sample data sets.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder holding the sample data sets (default: auto-detected sample-data/).") var dataDir: String?

    /// The samples folder when `source` is a bundled sample; a data file or folder needs none.
    func directory(for source: DataSource) -> String {
        source.sample == nil ? (dataDir ?? ".") : directory()
    }

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
/// Each is nil unless given, so a config file's value or the config's default applies.
struct RunOptions: ParsableArguments {
    @Option(help: "Folder that holds run folders. (default: \(TrainConfig().runRoot))") var runs: String?
    @Option(help: "Run folder name (default: a timestamp, the run's settings and its seed).") var name: String?
    @Option(help: "Seed of the initialisation, data order, augmentation and sampling (train: also of the data split). (default: \(TrainConfig().seed))") var seed: UInt64?
    @Option(help: "Threads for BLAS and Retort's loops. (default: \(TrainConfig().threads))") var threads: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("threads: must be in 1…256, got \(threads)") }
    }

    /// Sets the options given over `c`.
    func apply<C: RunSettings>(to c: inout C) {
        if let runs { c.runRoot = runs }
        if let name { c.runName = name }
        if let seed { c.seed = seed }
        if let threads { c.threads = threads }
    }
}

/// The run settings every engine's config has (`RunOptions` sets them).
protocol RunSettings {
    var seed: UInt64 { get set }
    var threads: Int { get set }
    var runRoot: String { get set }
    var runName: String? { get set }
}
extension TrainConfig: RunSettings {}

/// Checkpoints written during a run: `--checkpoint-every`, `--keep-checkpoints` (nil unless given).
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Also write a checkpoint every N steps (0 = only at the end of each epoch, which always writes one; `retort resume RUN` continues). (default: \(TrainConfig().checkpointEvery))") var checkpointEvery: Int?
    @Option(help: "Checkpoints kept in the run folder's checkpoints/ (older ones are deleted). (default: \(TrainConfig().keepCheckpoints))") var keepCheckpoints: Int?

    /// The values for engines whose config does not hold them (distill, attention).
    var every: Int { checkpointEvery ?? TrainConfig().checkpointEvery }
    var keep: Int { keepCheckpoints ?? TrainConfig().keepCheckpoints }

    func validate() throws {
        if let checkpointEvery {
            guard checkpointEvery >= 0 else { throw ValidationError("checkpoint-every: must be ≥ 0 steps (0 = at the end of each epoch only), got \(checkpointEvery)") }
            guard checkpointEvery <= OptionBounds.checkpointEvery else { throw ValidationError("checkpoint-every: must be at most \(OptionBounds.checkpointEvery) steps, got \(checkpointEvery)") }
        }
        if let keepCheckpoints, !(1...1000).contains(keepCheckpoints) { throw ValidationError("keep-checkpoints: must be in 1…1000, got \(keepCheckpoints)") }
    }
}

/// The optimiser settings of an engine's config (`OptimOptions` sets them).
protocol OptimSettings {
    init()
    var epochs: Int { get set }
    var batchSize: Int { get set }
    var optimizer: TrainConfig.OptimizerKind { get set }
    var lr: Float { get set }
    var momentum: Float { get set }
    var nesterov: Bool { get set }
    var weightDecay: Float { get set }
    var labelSmoothing: Float { get set }
    var warmupEpochs: Float { get set }
}
extension TrainConfig: OptimSettings {}

/// The optimiser and schedule of a run; each option is nil unless given (the help shows the
/// default of engine config `C`). Ranges are checked by the engine's config.
struct OptimOptions<C: OptimSettings>: ParsableArguments {
    @Option(help: "Epochs. (default: \(C().epochs))") var epochs: Int?
    @Option(help: "Mini-batch size. (default: \(C().batchSize))") var batchSize: Int?
    @Option(help: "Optimiser: SGD with (Nesterov) momentum or AdamW. (default: \(C().optimizer.rawValue))") var optimizer: TrainConfig.OptimizerKind?
    @Option(help: "Base learning rate (cosine schedule after a linear warm-up). (default: \(C().lr))") var lr: Float?
    @Option(help: "SGD momentum. (default: \(C().momentum))") var momentum: Float?
    @Flag(help: "Plain momentum instead of Nesterov.") var noNesterov = false
    @Option(help: "Weight decay (skips biases and normalisation parameters). (default: \(C().weightDecay))") var weightDecay: Float?
    @Option(help: "Label smoothing of the cross-entropy. (default: \(C().labelSmoothing))") var labelSmoothing: Float?
    @Option(help: "Linear learning-rate warm-up epochs. (default: \(C().warmupEpochs))") var warmupEpochs: Float?

    /// Sets the options given over `c`.
    func apply(to c: inout C) {
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let optimizer { c.optimizer = optimizer }
        if let lr { c.lr = lr }
        if let momentum { c.momentum = momentum }
        if noNesterov { c.nesterov = false }
        if let weightDecay { c.weightDecay = weightDecay }
        if let labelSmoothing { c.labelSmoothing = labelSmoothing }
        if let warmupEpochs { c.warmupEpochs = warmupEpochs }
    }
}

/// `--config FILE`: a run's settings from a YAML or JSON file (a run's config.json replays it).
struct ConfigFileOption: ParsableArguments {
    @Option(help: ArgumentHelp("Read the run's settings from this YAML or JSON file (a run's config.json replays that run); options given on the command line override the file's values.",
                               discussion: "Keys are the config.json names (camelCase) or the options' names (kebab-case or snake_case). A file's runName is not used: every run gets a new folder (--name or a generated name).",
                               valueName: "file"))
    var config: String?

    /// The file read into `C` (nil without --config); a bad file ends the program with one line (exit 2).
    func load<C: FileConfigurable>(_: C.Type) -> ConfigFileContents<C>? {
        guard let config else { return nil }
        do { return try ConfigFile.read(C.self, path: config) } catch { fail("\(error)") }
    }
}

/// Checks the config built from a file and the options: a value the options alone get wrong is
/// a usage error (exit 64, as without a file); one the file brings in ends the program with
/// one line naming the file and the key's line (exit 2).
func checkConfig<C: FileConfigurable>(_ file: ConfigFileContents<C>?, options: (C) throws -> C, validate: (C) throws -> Void) throws {
    let alone: C
    do { alone = try options(C()) } catch { throw ValidationError("\(error)") }
    let aloneError: String?
    do { try validate(alone); aloneError = nil } catch { aloneError = "\(error)" }
    guard let file else {
        if let aloneError { throw ValidationError(aloneError) }
        return
    }
    do { try validate(try options(file.config)) } catch {
        let m = "\(error)"
        if m == aloneError { throw ValidationError(m) }
        fail(file.locate(m))
    }
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

/// Where `BLAS.gemm`'s small products run in a benchmark: with `--blas-only` every product on
/// OpenBLAS; otherwise the runtime's own choice (`BLAS.microKernel`), so that a benchmark times
/// what a run on this machine runs. Returns the words for the benchmark's header line.
func smallProducts(blasOnly: Bool) -> String {
    if blasOnly { BLAS.microKernel = false; return " (every product on OpenBLAS)" }
    return BLAS.microKernel ? " (small products on Retort's micro-kernel)" : " (small products on OpenBLAS)"
}

/// The options of a benchmark that can also run its PyTorch counterpart (tools/pytorch/):
/// `--batch`, `--threads`, `--python`.
struct TorchBenchOptions: ParsableArguments {
    @Option(help: "Mini-batch size.") var batch: Int = 64
    @Option(help: "Threads (BLAS and Retort loops; torch.set_num_threads for PyTorch).") var threads: Int = 2
    @Option(help: "A Python with torch installed: also runs the same benchmark in PyTorch (tools/pytorch/) and prints the ratio.") var python: String?
    @Flag(help: "Run all of BLAS.gemm's products on OpenBLAS (not on Retort's micro-kernel; the attention kernels keep theirs), to compare the two.") var blasOnly = false

    func validate() throws {
        guard batch >= 1, threads >= 1 else { throw ValidationError("--batch and --threads must be ≥ 1") }
        guard batch <= 65_536, threads <= 256 else { throw ValidationError("--batch must be at most 65536 and --threads at most 256, got \(batch) and \(threads)") }
        try checkPython(python)
    }
}

/// `--python P` of the benchmarks: P must be an executable file (checked before any timing).
func checkPython(_ python: String?) throws {
    guard let python, !FileManager.default.isExecutableFile(atPath: python) else { return }
    let exists = FileManager.default.fileExists(atPath: python)
    throw ValidationError("--python: \(python) \(exists ? "is not an executable file" : "does not exist") (give a Python with torch installed, e.g. .venv/bin/python)")
}
