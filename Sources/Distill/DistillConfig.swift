import Foundation
import RetortData
import RetortModels
import RunKit
import TrainEngine

/// Where gradient surgery measures and projects: the whole flattened vector of shared
/// elements (PCGrad's default) or each parameter tensor on its own.
public enum SurgeryGranularity: String, Codable, Sendable, CaseIterable {
    case whole
    case perTensor = "per-tensor"
}

/// How the per-sample weight of the distillation term is derived from the teacher [R].
public enum UncertaintyMode: String, Codable, Sendable, CaseIterable {
    /// w = 1 − H(q_t)/log C with q_t = softmax(teacher logits) at T = 1 (spec U1; the default
    /// before the calibrated weighting).
    case entropy
    /// w = 1 when the teacher's argmax equals the label, else 0 (spec U2).
    case gate
    /// K sampled teacher widths: the KD target is their mean softmax (at T); the weight is
    /// 1 − MI/log K with MI = H(mean) − mean H (their disagreement; spec U4).
    case ensemble
    /// w = 1 (plain KD).
    case none
    /// Weights from the teacher's held-out calibration (Retort's redesign, default): every
    /// epoch the teacher is evaluated on a calibration split of the training data it never
    /// trains on; w_i = min(1, (1 − c_i)/ε_h) with c_i its confidence on sample i and ε_h its
    /// held-out error rate, so KD is down-weighted where the teacher is more confident than
    /// its held-out accuracy justifies (see `UncertaintyWeights.calibrated`).
    case calibrated
}

/// How BatchNorm running statistics are kept usable for the student when teacher passes
/// share the layers.
public enum BatchNormMode: String, Codable, Sendable, CaseIterable {
    /// Each active width keeps its own running statistics (`perWidthStatistics: true`), so
    /// teacher passes never touch the student's. When a teacher pass can run a BatchNorm
    /// at the student's own width (a factor of 1 somewhere, or NetAug random widths that
    /// include 1), the statistics are re-estimated before evaluation as well.
    case perWidth = "per-width"
    /// Shared statistics (NetAug): re-estimated from training batches at the evaluated
    /// width before every evaluation (NetAug's `reset_bn`).
    case recalibrate
}

/// Which student a run keeps: the one it reports, exports and tabulates [R: Retort's choice;
/// the paper does not say how its student is picked].
public enum StudentKeeping: String, Codable, Sendable, CaseIterable {
    /// The student after the last epoch.
    case last
    /// The student of the epoch with the best accuracy on held-out training rows that neither
    /// the student nor the teacher trains on (ties: the lower held-out loss); a copy is kept
    /// in the run's checkpoints.
    case heldOut = "held-out"
}

/// A named preset of the options that distinguish the methods compared in the spec (§8.2).
/// Applied first; explicit options override it.
public enum DistillMethod: String, Codable, Sendable, CaseIterable {
    /// The student alone (same allocation and init; the teacher is never trained).
    case base
    /// NetAug with a fixed maximum-width teacher: CE_s + α·CE_t, no KD, no surgery.
    case netaug
    /// NetAug with the augmented width sampled per step and per layer group.
    case netaugRandom = "netaug-random"
    /// In-place KD from the weight-sharing teacher (T, λ; no uncertainty weighting).
    case kd
    /// KD with the uncertainty weights (default: entropy).
    case ukd
    /// NetAug + gradient surgery (default: asymmetric), no KD.
    case surgery
    /// NetDistiller as reconstructed here [R]: asymmetric surgery + uncertainty-weighted KD.
    case full
}

/// Everything that defines a NetDistiller run; written to `config.json` in the run folder.
///
/// Width factors are relative to the student (the tiny network = factor 1 everywhere).
/// The model is allocated at the largest factor; the student is the first-k slice.
public struct DistillConfig: Codable, Sendable, Equatable {
    public var method: DistillMethod = .full
    public var data: DataSource = .sample(.digits)
    /// How to read `data` where its files cannot say (test set, NumPy layout, CSV shape, flip); nil: detected.
    public var dataOptions: DataReadSettings? = nil
    public var model: TrainConfig.ModelKind = .mlp
    /// MLP: the student's hidden widths (before `studentWidth`).
    public var mlpHidden: [Int] = [4, 4]
    /// CNN: the student's architecture (`--cnn`, `--cnn-preset`); nil = Retort's tiny net for
    /// the image size. Its channels are scaled by `studentWidth`, then widened into the teacher.
    public var cnn: CNNSpec? = nil
    /// Multiplier of the student's architecture (MLP hidden widths; CNN channels of the
    /// tiny MobileNetV2 config of the data set).
    public var studentWidth: Float = 1
    /// Teacher output-width factors: one value for every layer group, or one per group.
    public var teacherWidth: [Float] = [4]
    /// Teacher expand-ratio factors of the inverted blocks (CNN): one value or one per block.
    public var teacherExpand: [Float] = [1]
    /// NetAug-style sampling: each step the teacher's factor of every layer group is drawn
    /// uniformly from this list (empty = fixed teacher).
    public var randomWidths: [Float] = []
    /// Same for the expand factors of the inverted blocks (CNN; empty = fixed).
    public var randomExpands: [Float] = []
    /// NetAug's `stop_aug_w_epoch`: during the last this-many epochs the sampled width
    /// factors are pinned to the minimum (1 = the student's widths) while expand factors
    /// are still sampled (NetAug's "min_w" mode). 0 = never (Retort's default).
    public var stopWidthAugmentEpochs: Int = 0
    /// Whether the teacher is trained on its own label loss (false = student alone).
    public var teacherLoss: Bool = true
    /// Weight of the teacher's gradient in the combined update g = g_s' + α·g_t'.
    public var alpha: Float = 1
    public var surgery: SurgeryMode = .asymmetric
    public var granularity: SurgeryGranularity = .whole
    /// Conflict threshold: surgery acts when cos(g_s, g_t) < τ on the shared elements.
    public var tau: Double = 0
    /// Weight λ of the distillation term (0 = no KD).
    public var lambda: Float = 1
    public var temperature: Float = 2
    public var uncertainty: UncertaintyMode = .calibrated
    /// Fraction of the training split held out from the teacher's label loss to calibrate it
    /// and, with `keepStudent` held-out, from the student's losses to pick the student it
    /// keeps. nil: 0.1 when the run starts with calibrated KD or keeps the held-out student, else 0.
    public var calibrationHoldout: Float? = nil
    /// Which student the run keeps (nil: the last one). Held-out keeping was measured on the
    /// 2000-epoch default session and did not keep the student closer to its best (docs/distill.md
    /// §9.0), so it is not the default.
    public var keepStudent: StudentKeeping? = nil
    /// Sub-networks in the ensemble mode (the step's teacher plus K − 1 sampled widths).
    public var ensembleK: Int = 3
    /// λ ramps linearly from 0 over this many epochs.
    public var kdWarmupEpochs: Float = 0
    /// Re-sort hidden channels by L1 norm at the start of every epoch after the first.
    public var sortChannels: Bool = false
    public var batchNorm: BatchNormMode = .perWidth
    /// Training samples used to re-estimate BatchNorm statistics.
    public var recalibrationSamples: Int = 2000
    public var epochs: Int = 40
    public var batchSize: Int = 32
    public var optimizer: TrainConfig.OptimizerKind = .sgd
    public var lr: Float = 0.02
    public var momentum: Float = 0.9
    public var nesterov: Bool = true
    public var weightDecay: Float = 5e-4
    public var labelSmoothing: Float = 0
    public var warmupEpochs: Float = 0
    public var minLR: Float = 0
    /// Images held out for testing (nil: 597 for digits, 1000 for MNIST-5k).
    public var testCount: Int? = nil
    /// Random shift augmentation in pixels (CNN only; 0 = off).
    public var shiftAugment: Int = 0
    /// Seed of the train/test split (kept fixed across seeds so that runs are paired).
    public var splitSeed: UInt64 = 1
    /// Seed of the initialisation, data order, augmentation and width sampling.
    public var seed: UInt64 = 1
    public var threads: Int = 2
    /// Points of student test accuracy below its best that the collapse detector reports
    /// (nil: 10). A diagnostic: it never changes the training.
    public var collapseDrop: Double? = nil
    public var runRoot: String = "runs"
    public var runName: String? = nil

    public init() {}

    public var effectiveCollapseDrop: Double { collapseDrop ?? 10 }
    /// The held-out calibration fraction this run uses (see `calibrationHoldout`).
    public var effectiveCalibrationHoldout: Float {
        calibrationHoldout ?? ((usesKD && uncertainty == .calibrated) || effectiveKeepStudent == .heldOut ? 0.1 : 0)
    }
    public var effectiveKeepStudent: StudentKeeping { keepStudent ?? .last }
    public var effectiveTestCount: Int { testCount ?? (data.sample == .digits ? 597 : 1000) }
    public var usesTeacher: Bool { teacherLoss }
    public var usesKD: Bool { teacherLoss && lambda > 0 }
    public var randomSampling: Bool { !effectiveRandomWidths.isEmpty || !effectiveRandomExpands.isEmpty }

    /// A config with `method`'s preset applied to the defaults.
    public static func preset(_ method: DistillMethod) -> DistillConfig {
        var c = DistillConfig()
        c.applyPreset(method)
        return c
    }

    /// Sets the options that define `method` (see `DistillMethod`).
    public mutating func applyPreset(_ m: DistillMethod) {
        method = m
        let d = DistillConfig()
        switch m {
        case .base:
            teacherLoss = false; lambda = 0; surgery = .none
        case .netaug, .netaugRandom:
            teacherLoss = true; lambda = 0; surgery = .none
        case .kd:
            teacherLoss = true; lambda = d.lambda; surgery = .none; uncertainty = .none
        case .ukd:
            teacherLoss = true; lambda = d.lambda; surgery = .none; uncertainty = d.uncertainty
        case .surgery:
            teacherLoss = true; lambda = 0; surgery = d.surgery
        case .full:
            teacherLoss = true; lambda = d.lambda; surgery = d.surgery; uncertainty = d.uncertainty
        }
    }

    /// The output-width list sampled per step: `randomWidths`, or for the netaug-random
    /// method without a list, three evenly spaced factors from 1 to the teacher's.
    public var effectiveRandomWidths: [Float] {
        if !randomWidths.isEmpty || method != .netaugRandom { return randomWidths }
        return Self.defaultRandomList(teacherWidth.max() ?? 1)
    }
    /// The width list sampled in 0-based `epoch`: `effectiveRandomWidths`, pinned to the
    /// minimum factor (1) during the last `stopWidthAugmentEpochs` epochs (NetAug "min_w").
    public func randomWidths(atEpoch epoch: Int) -> [Float] {
        let list = effectiveRandomWidths
        if list.isEmpty || stopWidthAugmentEpochs == 0 || epochs - epoch > stopWidthAugmentEpochs { return list }
        return [1]
    }
    /// The expand-factor list sampled per step (CNN), defaulted like `effectiveRandomWidths`.
    public var effectiveRandomExpands: [Float] {
        if !randomExpands.isEmpty || method != .netaugRandom || model != .cnn { return randomExpands }
        let m = teacherExpand.max() ?? 1
        return m > 1 ? Self.defaultRandomList(m) : []
    }

    /// NetAug-style list of three evenly spaced factors from 1 to `maxFactor`
    /// (NetAug's width list is [1.0, 1.8, 2.6]).
    public static func defaultRandomList(_ maxFactor: Float) -> [Float] {
        guard maxFactor > 1 else { return [1] }
        return [1, (1 + maxFactor) / 2, maxFactor]
    }

    /// Checks ranges and combinations; the message names the option and what is allowed.
    public func validate() throws {
        func bad(_ field: String, _ allowed: String, _ got: Any) -> ConfigError { ConfigError("\(field): must be \(allowed), got \(got)") }
        if epochs < 1 || epochs > 10_000 { throw bad("epochs", "in 1…10000", epochs) }
        if batchSize < 2 || batchSize > 4096 { throw bad("batch-size", "in 2…4096", batchSize) }
        if let a = Hyperparameters.outOfRange("lr", lr) { throw bad("lr", a, lr) }
        if let a = Hyperparameters.outOfRange("momentum", momentum) { throw bad("momentum", a, momentum) }
        if let a = Hyperparameters.outOfRange("weight_decay", weightDecay) { throw bad("weight-decay", a, weightDecay) }
        if let a = Hyperparameters.outOfRange("label_smoothing", labelSmoothing) { throw bad("label-smoothing", a, labelSmoothing) }
        if !(warmupEpochs >= 0 && warmupEpochs <= Float(epochs)) { throw bad("warmup-epochs", "in [0, epochs]", warmupEpochs) }
        if !(minLR >= 0 && minLR <= lr) { throw bad("min-lr", "in [0, lr]", minLR) }
        if !(studentWidth > 0 && studentWidth <= 16) { throw bad("student-width", "in (0, 16]", studentWidth) }
        if mlpHidden.isEmpty || mlpHidden.count > MLPSpec.maxLayers || mlpHidden.contains(where: { $0 < 1 || $0 > 4096 }) {
            throw bad("hidden", "1 to \(MLPSpec.maxLayers) widths in 1…4096", mlpHidden.map(String.init).joined(separator: ","))
        }
        if let cnn {
            if model != .cnn { throw ConfigError("cnn: a CNN spec needs model cnn (the model is \(model.rawValue))") }
            do { try cnn.validate() } catch let e as ModelSpecError { throw ConfigError(e.description) }
        }
        for (name, list) in [("teacher-width", teacherWidth), ("teacher-expand", teacherExpand)] {
            if list.isEmpty || list.contains(where: { !($0 >= 1 && $0 <= 16) }) { throw bad(name, "factors in [1, 16] (relative to the student)", Self.listText(list)) }
        }
        for (name, list) in [("random-widths", randomWidths), ("random-expands", randomExpands)] {
            if list.contains(where: { !($0 >= 1 && $0 <= 16) }) { throw bad(name, "factors in [1, 16]", Self.listText(list)) }
        }
        if model == .mlp && (teacherExpand.contains { $0 != 1 } || !randomExpands.isEmpty) {
            throw ConfigError("teacher-expand/random-expands: the MLP has no expand ratios (use --teacher-width)")
        }
        if stopWidthAugmentEpochs < 0 || stopWidthAugmentEpochs > epochs { throw bad("stop-width-aug", "in 0…epochs (\(epochs))", stopWidthAugmentEpochs) }
        if !(alpha >= 0 && alpha <= 100) { throw bad("alpha", "in [0, 100]", alpha) }
        if !(tau >= -1 && tau <= 1) { throw bad("tau", "in [-1, 1]", tau) }
        if !(lambda >= 0 && lambda <= 100) { throw bad("lambda", "in [0, 100]", lambda) }
        if !(temperature > 0 && temperature <= 20) { throw bad("temperature", "in (0, 20]", temperature) }
        if ensembleK < 2 || ensembleK > 16 { throw bad("ensemble-k", "in 2…16", ensembleK) }
        if !(kdWarmupEpochs >= 0 && kdWarmupEpochs <= Float(epochs)) { throw bad("kd-warmup", "in [0, epochs]", kdWarmupEpochs) }
        if recalibrationSamples < 2 { throw bad("recalibration-samples", "≥ 2", recalibrationSamples) }
        if recalibrationSamples > OptionBounds.testCount { throw bad("recalibration-samples", "at most \(OptionBounds.testCount)", recalibrationSamples) }
        if effectiveTestCount < 1 { throw bad("test-count", "≥ 1", effectiveTestCount) }
        if effectiveTestCount > OptionBounds.testCount { throw bad("test-count", "at most \(OptionBounds.testCount)", effectiveTestCount) }
        if shiftAugment < 0 || shiftAugment > 16 { throw bad("shift", "in 0…16", shiftAugment) }
        if threads < 1 || threads > 256 { throw bad("threads", "in 1…256", threads) }
        if let d = collapseDrop, !(d >= 0 && d <= 100) { throw bad("collapse-drop", "in [0, 100] points", d) }
        if let h = calibrationHoldout, !(h >= 0 && h <= 0.5) { throw bad("calibration-holdout", "a fraction in [0, 0.5]", h) }
        if usesKD && uncertainty == .calibrated && effectiveCalibrationHoldout == 0 {
            throw ConfigError("calibration-holdout: calibrated KD needs a held-out calibration split (a fraction in (0, 0.5]); got 0")
        }
        if effectiveKeepStudent == .heldOut && effectiveCalibrationHoldout == 0 {
            throw ConfigError("calibration-holdout: keep-student held-out needs held-out rows (a fraction in (0, 0.5]); got 0 (or set keep-student last)")
        }
        if !teacherLoss && lambda > 0 { throw ConfigError("lambda: distillation needs the trained teacher (the base method has none); set lambda 0") }
        if !teacherLoss && randomSampling { throw ConfigError("random-widths: width sampling needs the trained teacher (the base method has none)") }
        if !teacherLoss && surgery != .none { throw ConfigError("surgery: gradient surgery needs the trained teacher (the base method has none); set surgery none") }
    }

    static func listText(_ l: [Float]) -> String { l.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }.joined(separator: ",") }

    /// The options `set(_:_:)` understands (the CLI's option names).
    public static let keys: [String] = [
        "method", "data", "model", "hidden", "mlp-hidden", "cnn", "cnn-preset", "student-width", "teacher-width", "teacher-expand", "random-widths",
        "random-expands", "stop-width-aug", "teacher", "alpha", "surgery", "granularity", "tau", "lambda", "temperature", "uncertainty",
        "ensemble-k", "kd-warmup", "sort-channels", "bn", "recalibration-samples", "epochs", "batch-size",
        "optimizer", "lr", "momentum", "nesterov", "weight-decay", "label-smoothing", "warmup-epochs", "min-lr",
        "test-count", "shift", "split-seed", "seed", "threads", "collapse-drop", "calibration-holdout",
        "keep-student",
    ]

    /// Sets one option from text (as the CLI, `compare` condition overrides and the
    /// workbench do). Throws a one-line message naming the option and what is allowed.
    public mutating func set(_ key: String, _ text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws -> E where E.RawValue == String {
            if let v = E(rawValue: t.lowercased()) { return v }
            throw ConfigError("\(key): must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        func number() throws -> Double {
            guard let v = SettingValue.parseNumber(t), v.isFinite else { throw ConfigError("\(key): '\(text)' is not a number") }
            return v
        }
        func integer() throws -> Int {
            guard let v = Int(t) else { throw ConfigError("\(key): must be a whole number, got '\(text)'") }
            return v
        }
        func seedValue() throws -> UInt64 {
            guard let v = UInt64(t) else { throw ConfigError("\(key): must be a non-negative whole number, got '\(text)'") }
            return v
        }
        func floats() throws -> [Float] {
            if t.isEmpty || t == "none" || t == "off" { return [] }
            let parts = t.split(separator: ",", omittingEmptySubsequences: false)
            var out: [Float] = []
            for p in parts {
                guard let v = SettingValue.parseNumber(String(p)), v.isFinite else { throw ConfigError("\(key): '\(text)' is not a comma-separated list of numbers") }
                out.append(Float(v))
            }
            return out
        }
        func bool() throws -> Bool {
            switch t.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ConfigError("\(key): must be on or off, got '\(text)'")
            }
        }
        switch key {
        case "method": applyPreset(try choice(DistillMethod.self))
        case "data": data = DataSource(t)
        case "test-data": var d = dataOptions ?? DataReadSettings(); d.test = t.isEmpty ? nil : t; dataOptions = d.isEmpty ? nil : d
        case "layout":
            var d = dataOptions ?? DataReadSettings(); d.layout = try choice(ImageLayout.self); dataOptions = d
        case "shape":
            guard DeclaredShape(t) != nil else { throw ConfigError("shape: '\(text)' is not HxW or HxWxC with positive whole numbers (e.g. 32x32x3)") }
            var d = dataOptions ?? DataReadSettings(); d.shape = t; dataOptions = d
        case "flip": var d = dataOptions ?? DataReadSettings(); d.flip = try bool(); dataOptions = d
        case "label-column":
            guard CSVLabelColumn(t) != nil else { throw ConfigError("label-column: '\(text)' is not a column (\(CSVLabelColumn.allowed))") }
            var d = dataOptions ?? DataReadSettings(); d.labelColumn = t; dataOptions = d
        case "header": var d = dataOptions ?? DataReadSettings(); d.header = try bool(); dataOptions = d
        case "model": model = try choice(TrainConfig.ModelKind.self)
        case "hidden":
            let parts = t.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { throw ConfigError("hidden: must be comma-separated whole numbers, got '\(text)'") }
            mlpHidden = parts.map { $0! }
        case "mlp-hidden":
            do { mlpHidden = try MLPSpec.parseHidden(t) } catch let e as ModelSpecError { throw ConfigError(e.description) }
        case "cnn":
            if ["", "none", "default"].contains(t.lowercased()) { cnn = nil; break }
            do { cnn = try CNNSpec.parse(t) } catch let e as ModelSpecError { throw ConfigError(e.description) }
        case "cnn-preset":
            if ["", "none", "default"].contains(t.lowercased()) { cnn = nil; break }
            cnn = try choice(CNNSpec.Preset.self).spec
        case "student-width": studentWidth = Float(try number())
        case "teacher-width": teacherWidth = try floats()
        case "teacher-expand": teacherExpand = try floats()
        case "random-widths": randomWidths = try floats()
        case "random-expands": randomExpands = try floats()
        case "stop-width-aug": stopWidthAugmentEpochs = try integer()
        case "teacher": teacherLoss = try bool()
        case "alpha": alpha = Float(try number())
        case "surgery": surgery = try choice(SurgeryMode.self)
        case "granularity": granularity = try choice(SurgeryGranularity.self)
        case "tau": tau = try number()
        case "lambda": lambda = Float(try number())
        case "temperature", "t": temperature = Float(try number())
        case "uncertainty": uncertainty = try choice(UncertaintyMode.self)
        case "ensemble-k": ensembleK = try integer()
        case "kd-warmup": kdWarmupEpochs = Float(try number())
        case "sort-channels": sortChannels = try bool()
        case "bn": batchNorm = try choice(BatchNormMode.self)
        case "recalibration-samples": recalibrationSamples = try integer()
        case "epochs": epochs = try integer()
        case "batch-size": batchSize = try integer()
        case "optimizer": optimizer = try choice(TrainConfig.OptimizerKind.self)
        case "lr": lr = Float(try number())
        case "momentum": momentum = Float(try number())
        case "nesterov": nesterov = try bool()
        case "weight-decay": weightDecay = Float(try number())
        case "label-smoothing": labelSmoothing = Float(try number())
        case "warmup-epochs": warmupEpochs = Float(try number())
        case "min-lr": minLR = Float(try number())
        case "test-count": testCount = try integer()
        case "shift": shiftAugment = try integer()
        case "split-seed": splitSeed = try seedValue()
        case "seed": seed = try seedValue()
        case "threads": threads = try integer()
        case "collapse-drop": collapseDrop = try number()
        case "calibration-holdout": calibrationHoldout = Float(try number())
        case "keep-student": keepStudent = try choice(StudentKeeping.self)
        default:
            throw ConfigError("unknown option '\(key)': one of \(Self.keys.joined(separator: ", "))")
        }
    }

    /// A short human-readable description of what the run does, with [R] on our choices.
    public var methodSummary: String {
        var parts: [String] = []
        if !teacherLoss { return "student alone (base)" }
        parts.append(randomSampling ? "NetAug random-width teacher [V mechanics]" : "fixed max-width weight-sharing teacher [R]")
        if lambda > 0 {
            let cal = uncertainty == .calibrated ? " (teacher calibrated on \(fmt(100 * effectiveCalibrationHoldout))% held-out training data)" : ""
            parts.append("KD T=\(fmt(temperature)) λ=\(fmt(lambda)) weights=\(uncertainty.rawValue)\(cal) [R]")
        }
        if surgery != .none { parts.append("surgery \(surgery.rawValue)/\(granularity.rawValue) τ=\(fmt(Float(tau))) [R]") }
        return parts.joined(separator: " + ")
    }
}

func fmt(_ v: Float) -> String { v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%g", Double(v)) }
