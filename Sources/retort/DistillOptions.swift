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
extension StudentKeeping: ExpressibleByArgument {}

extension DistillConfig: OptimSettings, RunSettings {}

/// The options of a NetDistiller run, shared by `distill` and `compare`. The method preset
/// is applied first and any explicit option overrides it, so the options the presets set
/// (λ, surgery, uncertainty) are nil unless given; so is every other option, and the config
/// is `--config FILE`'s (or `DistillConfig`'s defaults) with the options given on top. Ranges
/// and combinations are checked by `DistillConfig.validate()` in `validate()` (exit 64 with
/// the config's message; exit 2 naming the file and line for a value from the file).
struct DistillOptions: ParsableArguments {
    @OptionGroup var file: ConfigFileOption
    @Option(help: "Method preset [R] (default full); explicit options override it.") var method: DistillMethod?
    @Option(help: "Data: a sample (mnist5k, digits) or a data file or folder (see `retort train --help`) (default digits).") var data: DataSource?
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
    @Option(help: "KD sample weights [R]: calibrated (fade KD where the teacher is more confident than its held-out error allows; the default), entropy (w = 1 − H/log C; the earlier default), gate (teacher correct), ensemble (K widths), none.") var uncertainty: UncertaintyMode?
    @Option(help: "Ensemble size K for --uncertainty ensemble (default 3).") var ensembleK: Int?
    @Option(help: "KD warm-up: λ ramps from 0 over this many epochs (default 0).") var kdWarmup: Float?
    @Flag(help: "Sort hidden channels by L1 importance at the start of every epoch after the first (NetAug).") var sortChannels = false
    @Option(help: "BatchNorm statistics: kept per width or recalibrated before evaluation (default per-width).") var bn: BatchNormMode?
    @Option(help: "Training images used to re-estimate BatchNorm statistics (default 2000).") var recalibrationSamples: Int?
    @OptionGroup var optim: OptimOptions<DistillConfig>
    @Option(help: "Images held out for testing (default 597 digits, 1000 MNIST-5k).") var testCount: Int?
    @Option(help: "CNN: random shift augmentation in pixels (default 0).") var shift: Int?
    @Option(help: "Seed of the train/test split (fixed across seeds so runs are paired) (default 1).") var splitSeed: UInt64?
    @Option(help: "Fraction of the training rows held out: the teacher never trains on them (its calibration for --uncertainty calibrated) and, with --keep-student held-out, neither does the student (default 0.1 when either needs them, else 0).") var calibrationHoldout: Float?
    @Option(help: "Which student the run keeps (reports, exports, tabulates) [R]: last (the default) or held-out (the epoch with the best accuracy on the held-out rows, which then train neither network).") var keepStudent: StudentKeeping?
    @Option(help: "Collapse detector: report when the student's test accuracy falls more than this many points below its best (a diagnostic; default 10).") var collapseDrop: Double?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var dataRead: DataReadOptions

    /// (key, value) pairs of the options in `DistillConfig.set` form, method first (the
    /// text the workbench adapter builds a run from, as the TUI does).
    var pairs: [(String, String)] {
        func text(_ v: (any CustomStringConvertible)?) -> String? { v.map { "\($0)" } }
        let all: [(String, String?)] = [
            ("method", method?.rawValue), ("data", data?.absolute.description), ("model", model?.rawValue), ("hidden", hidden),
            ("student-width", text(studentWidth)), ("teacher-width", teacherWidth), ("teacher-expand", teacherExpand),
            ("random-widths", randomWidths), ("random-expands", randomExpands), ("stop-width-aug", text(stopWidthAug)),
            ("alpha", text(alpha)), ("surgery", surgery?.rawValue), ("granularity", granularity?.rawValue),
            ("tau", text(tau)), ("temperature", text(temperature)), ("lambda", text(lambda)), ("uncertainty", uncertainty?.rawValue),
            ("ensemble-k", text(ensembleK)), ("kd-warmup", text(kdWarmup)), ("bn", bn?.rawValue),
            ("recalibration-samples", text(recalibrationSamples)),
            ("epochs", text(optim.epochs)), ("batch-size", text(optim.batchSize)), ("optimizer", optim.optimizer?.rawValue),
            ("lr", text(optim.lr)), ("momentum", text(optim.momentum)), ("weight-decay", text(optim.weightDecay)),
            ("label-smoothing", text(optim.labelSmoothing)), ("warmup-epochs", text(optim.warmupEpochs)),
            ("test-count", text(testCount)), ("shift", text(shift)), ("split-seed", text(splitSeed)),
            ("collapse-drop", text(collapseDrop)), ("calibration-holdout", text(calibrationHoldout)), ("keep-student", keepStudent?.rawValue),
            ("test-data", dataRead.testData.map(absolutePath)), ("layout", dataRead.layout?.rawValue), ("shape", dataRead.shape),
            ("flip", dataRead.flip.map { $0 ? "on" : "off" }), ("label-column", dataRead.labelColumn),
            ("header", dataRead.header.map { $0 ? "on" : "off" }),
        ]
        return all.compactMap { k, v in v.map { (k, $0) } } + shape.pairs
    }

    /// Every setting of `c` as (key, value) pairs in `DistillConfig.set` form, method first:
    /// applied to `DistillConfig()` they give `c` again (the workbench adapter's input).
    static func pairs(of c: DistillConfig) -> [(String, String)] {
        func list(_ l: [Float]) -> String { l.isEmpty ? "none" : l.map { "\($0)" }.joined(separator: ",") }
        func on(_ b: Bool) -> String { b ? "on" : "off" }
        var out: [(String, String)] = [
            ("method", c.method.rawValue), ("data", c.data.description), ("model", c.model.rawValue),
            ("hidden", c.mlpHidden.map(String.init).joined(separator: ",")), ("student-width", "\(c.studentWidth)"),
            ("teacher-width", list(c.teacherWidth)), ("teacher-expand", list(c.teacherExpand)), ("random-widths", list(c.randomWidths)),
            ("random-expands", list(c.randomExpands)), ("stop-width-aug", "\(c.stopWidthAugmentEpochs)"), ("teacher", on(c.teacherLoss)),
            ("alpha", "\(c.alpha)"), ("surgery", c.surgery.rawValue), ("granularity", c.granularity.rawValue), ("tau", "\(c.tau)"),
            ("lambda", "\(c.lambda)"), ("temperature", "\(c.temperature)"), ("uncertainty", c.uncertainty.rawValue),
            ("ensemble-k", "\(c.ensembleK)"), ("kd-warmup", "\(c.kdWarmupEpochs)"), ("sort-channels", on(c.sortChannels)),
            ("bn", c.batchNorm.rawValue), ("recalibration-samples", "\(c.recalibrationSamples)"), ("epochs", "\(c.epochs)"),
            ("batch-size", "\(c.batchSize)"), ("optimizer", c.optimizer.rawValue), ("lr", "\(c.lr)"), ("momentum", "\(c.momentum)"),
            ("nesterov", on(c.nesterov)), ("weight-decay", "\(c.weightDecay)"), ("label-smoothing", "\(c.labelSmoothing)"),
            ("warmup-epochs", "\(c.warmupEpochs)"), ("min-lr", "\(c.minLR)"), ("shift", "\(c.shiftAugment)"),
            ("split-seed", "\(c.splitSeed)"), ("seed", "\(c.seed)"), ("threads", "\(c.threads)"),
        ]
        if let t = c.testCount { out.append(("test-count", "\(t)")) }
        if let d = c.collapseDrop { out.append(("collapse-drop", "\(d)")) }
        if let h = c.calibrationHoldout { out.append(("calibration-holdout", "\(h)")) }
        if let k = c.keepStudent { out.append(("keep-student", k.rawValue)) }
        if let d = c.dataOptions {
            if let t = d.test { out.append(("test-data", t)) }
            if let l = d.layout { out.append(("layout", l.rawValue)) }
            if let s = d.shape { out.append(("shape", s)) }
            if let f = d.flip { out.append(("flip", on(f))) }
            if let l = d.labelColumn { out.append(("label-column", l)) }
            if let h = d.header { out.append(("header", on(h))) }
        }
        return out
    }

    /// The options given, over `base`; throws the config's one-line message for a list
    /// option that does not parse.
    func makeConfig(over base: DistillConfig) throws -> DistillConfig {
        var c = base
        for (k, v) in pairs { try c.set(k, v) }
        if sortChannels { c.sortChannels = true }
        if optim.noNesterov { c.nesterov = false }
        return c
    }

    /// The file's config (nil without --config); a bad file ends the program (exit 2).
    var fileConfig: ConfigFileContents<DistillConfig>? { file.load(DistillConfig.self) }

    /// The options given over `base` (default: the file's config or the defaults), ending
    /// the program with one line (exit 2) on a bad value.
    func config(base: DistillConfig? = nil) -> DistillConfig {
        do { return try makeConfig(over: base ?? fileConfig?.config ?? DistillConfig()) } catch { fail("\(error)") }
    }

    func validate() throws {
        try checkConfig(fileConfig, options: makeConfig(over:)) { try $0.validate() }
    }

    func dataDirectory(for source: DataSource) -> String { dataOptions.directory(for: source) }
}
