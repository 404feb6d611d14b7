import ArgumentParser
import Distill
import RetortData
import RunKit
import TrainEngine

extension DistillMethod: ExpressibleByArgument {}
extension SurgeryMode: ExpressibleByArgument {}
extension SurgeryGranularity: ExpressibleByArgument {}
extension UncertaintyMode: ExpressibleByArgument {}
extension BatchNormMode: ExpressibleByArgument {}

enum DistillDefaults: OptimDefaults {
    static var epochs: Int { DistillConfig().epochs }
    static var batchSize: Int { DistillConfig().batchSize }
    static var optimizer: TrainConfig.OptimizerKind { DistillConfig().optimizer }
    static var lr: Float { DistillConfig().lr }
    static var momentum: Float { DistillConfig().momentum }
    static var weightDecay: Float { DistillConfig().weightDecay }
    static var labelSmoothing: Float { DistillConfig().labelSmoothing }
    static var warmupEpochs: Float { DistillConfig().warmupEpochs }
}

/// The options of a NetDistiller run, shared by `distill` and `compare`. The method preset
/// is applied first and any explicit option overrides it, so the options the presets set
/// (λ, surgery, uncertainty) are nil unless given. Ranges and combinations are checked by
/// `DistillConfig.validate()` in `validate()` (exit 64 with the config's message).
struct DistillOptions: ParsableArguments {
    @Option(help: "Method preset [R] (default full); explicit options override it.") var method: DistillMethod?
    @Option(help: "Data set (default digits).") var data: SampleData?
    @Option(help: "Model: the MLP or the tiny MobileNetV2-style CNN (default mlp).") var model: TrainConfig.ModelKind?
    @Option(help: "MLP: the student's hidden widths, e.g. 4,4 (default 4,4).") var hidden: String?
    @OptionGroup var shape: ModelOptions
    @Option(help: "Student width multiplier (MLP hidden widths; CNN channels of the data set's tiny config) (default 1).") var studentWidth: Float?
    @Option(help: "Teacher output-width factor(s) relative to the student: one value or one per layer group [U → R] (default 4).") var teacherWidth: String?
    @Option(help: "CNN: teacher expand-ratio factor(s) of the inverted blocks: one value or one per block (default 1).") var teacherExpand: String?
    @Option(help: "NetAug random widths: per step and layer group, sample the teacher's factor uniformly from this list, e.g. 1,2.5,4 (default off; netaug-random: 1,(1+max)/2,max).") var randomWidths: String?
    @Option(help: "CNN: NetAug random expand factors per block (default off).") var randomExpands: String?
    @Option(help: "NetAug stop_aug_w_epoch: pin sampled widths to 1× (the student's) for the last N epochs; expand factors stay sampled (default 0 = never).") var stopWidthAug: Int?
    @Option(help: "Weight α of the teacher's gradient in g = g_s' + α·g_t' (default 1).") var alpha: Float?
    @Option(help: "Gradient surgery [R]: none, sym (PCGrad), asym (project the teacher off the student), drop (default asym).") var surgery: SurgeryMode?
    @Option(help: "Surgery granularity: the whole flattened shared vector or each tensor (default whole).") var granularity: SurgeryGranularity?
    @Option(help: "Conflict threshold τ: surgery acts when cos(g_s, g_t) < τ (default 0).") var tau: Double?
    @Option(help: "Distillation temperature T [R] (default 2).") var temperature: Float?
    @Option(help: "Distillation weight λ [R]; 0 = no KD (default 1).") var lambda: Float?
    @Option(help: "KD sample weights [R]: entropy (w = 1 − H/log C), gate (teacher correct), ensemble (K widths), none (default entropy).") var uncertainty: UncertaintyMode?
    @Option(help: "Ensemble size K for --uncertainty ensemble (default 3).") var ensembleK: Int?
    @Option(help: "KD warm-up: λ ramps from 0 over this many epochs (default 0).") var kdWarmup: Float?
    @Flag(help: "Sort hidden channels by L1 importance at the start of every epoch after the first (NetAug).") var sortChannels = false
    @Option(help: "BatchNorm statistics: kept per width or recalibrated before evaluation (default per-width).") var bn: BatchNormMode?
    @Option(help: "Training images used to re-estimate BatchNorm statistics (default 2000).") var recalibrationSamples: Int?
    @OptionGroup var optim: OptimOptions<DistillDefaults>
    @Option(help: "Images held out for testing (default 597 digits, 1000 MNIST-5k).") var testCount: Int?
    @Option(help: "CNN: random shift augmentation in pixels (default 0).") var shift: Int?
    @Option(help: "Seed of the train/test split (fixed across seeds so runs are paired) (default 1).") var splitSeed: UInt64?
    @OptionGroup var dataOptions: DataOptions

    /// (key, value) pairs of the options in `DistillConfig.set` form, method first (the
    /// text the workbench adapter builds a run from, as the TUI does).
    var pairs: [(String, String)] {
        func text(_ v: (any CustomStringConvertible)?) -> String? { v.map { "\($0)" } }
        let all: [(String, String?)] = [
            ("method", method?.rawValue), ("data", data?.rawValue), ("model", model?.rawValue), ("hidden", hidden),
            ("student-width", text(studentWidth)), ("teacher-width", teacherWidth), ("teacher-expand", teacherExpand),
            ("random-widths", randomWidths), ("random-expands", randomExpands), ("stop-width-aug", text(stopWidthAug)),
            ("alpha", text(alpha)), ("surgery", surgery?.rawValue), ("granularity", granularity?.rawValue),
            ("tau", text(tau)), ("temperature", text(temperature)), ("lambda", text(lambda)), ("uncertainty", uncertainty?.rawValue),
            ("ensemble-k", text(ensembleK)), ("kd-warmup", text(kdWarmup)), ("bn", bn?.rawValue),
            ("recalibration-samples", text(recalibrationSamples)),
            ("epochs", "\(optim.epochs)"), ("batch-size", "\(optim.batchSize)"), ("optimizer", optim.optimizer.rawValue),
            ("lr", "\(optim.lr)"), ("momentum", "\(optim.momentum)"), ("weight-decay", "\(optim.weightDecay)"),
            ("label-smoothing", "\(optim.labelSmoothing)"), ("warmup-epochs", "\(optim.warmupEpochs)"),
            ("test-count", text(testCount)), ("shift", text(shift)), ("split-seed", text(splitSeed)),
        ]
        return all.compactMap { k, v in v.map { (k, $0) } } + shape.pairs
    }

    /// The config these options describe on top of `base`; throws the config's one-line
    /// message for a list option that does not parse.
    func makeConfig(base: DistillConfig = DistillConfig()) throws -> DistillConfig {
        var c = base
        for (k, v) in pairs { try c.set(k, v) }
        if sortChannels { c.sortChannels = true }
        if optim.noNesterov { c.nesterov = false }
        return c
    }

    /// `makeConfig(base:)`, ending the program with one line (exit 2) on a bad value.
    func config(base: DistillConfig = DistillConfig()) -> DistillConfig {
        do { return try makeConfig(base: base) } catch { fail("\(error)") }
    }

    func validate() throws {
        do { try makeConfig().validate() } catch let e as ConfigError { throw ValidationError(e.description) }
    }

    func dataDirectory() -> String { dataOptions.directory() }
}
