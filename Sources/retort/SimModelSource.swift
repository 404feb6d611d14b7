import Accelerator
import Attention
import Distill
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

/// A model named on the command line of `sim vitality --model` and `sim topology`: a preset
/// name or a run folder of `retort train`, `retort distill` or `retort attention train` (and
/// the TUI's tabs), read from its config.json.
struct SimModelSource {
    enum Architecture {
        case vit(TransformerShape)
        case cnn(TinyCNNConfig)
        case mlp(inputs: Int, hidden: [Int], classes: Int)
    }

    var name: String
    var architecture: Architecture
    /// Where it came from, for the output: "preset", "attention run <folder>", …
    var origin: String
    /// The attention of an attention run (its `kind`), nil for presets.
    var runAttention: Attention.AttentionKind?
    /// The Taylor centring of an attention run (its config's `centring`; a taylor-repo run
    /// centres over the head dimension), nil for presets and other runs.
    var runCentring: KeyCentring?
    /// A distill run's teacher (the student widened by its teacher factors).
    var teacher: LayerShapes?
    /// The run folder (nil for presets).
    var folder: URL?

    /// Preset names: the accelerator's ViTs, the attention engine's ViTs and the training engine's
    /// sample models for each data set.
    static var presetNames: [String] {
        var names = ViTModel.presets.map(\.name)
        for c in ViTConfig.presets where !names.contains(c.name) { names.append(c.name) }
        return names + ["cnn-mnist", "cnn-digits", "mlp-mnist", "mlp-digits"]
    }

    /// `field` names the argument in errors (`--model`, `MODEL`).
    static func resolve(_ arg: String, field: String) throws -> SimModelSource {
        if let p = preset(arg) { return p }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir), isDir.boolValue else {
            throw ConfigError("\(field): '\(arg)' is neither a preset nor a run folder (presets: \(presetNames.joined(separator: ", ")); a run folder holds config.json)")
        }
        return try runFolder(URL(fileURLWithPath: arg))
    }

    static func preset(_ name: String) -> SimModelSource? {
        // the accelerator's own names first (mnist-vit = the attention engine's vit-mnist)
        if let m = ViTModel.preset(name) {
            let c = ViTConfig.presets.first { $0.width == m.embed && $0.heads == m.heads && $0.depth == m.layers && $0.tokens == m.tokens }
            let t = c.map { transformer($0, name: name) }
                ?? TransformerShape(name: name, tokens: m.tokens, width: m.embed, heads: m.heads, depth: m.layers, mlpRatio: m.mlpRatio)
            return SimModelSource(name: name, architecture: .vit(t), origin: "preset")
        }
        if let c = ViTConfig.preset(name) { return SimModelSource(name: name, architecture: .vit(transformer(c, name: name)), origin: "preset") }
        for data in SampleData.allCases {
            let suffix = data == .mnist5k ? "mnist" : "digits"
            if name == "cnn-\(suffix)", let cfg = try? TinyCNNConfig.preset(for: DataSignature(data)) {
                return SimModelSource(name: name, architecture: .cnn(cfg), origin: "preset (the train engine's CNN for \(data.rawValue))")
            }
            if name == "mlp-\(suffix)" {
                return SimModelSource(name: name, architecture: .mlp(inputs: data.featureCount, hidden: TrainConfig().mlpHidden, classes: data.classCount),
                                      origin: "preset (the train engine's MLP for \(data.rawValue))")
            }
        }
        return nil
    }

    static func transformer(_ c: ViTConfig, name: String) -> TransformerShape {
        TransformerShape(name: name, image: c.imageSize, patch: c.patchSize, channels: c.channels, width: c.width, heads: c.heads,
                         depth: c.depth, mlpRatio: c.mlpRatio, classes: c.classes)
    }

    /// A run folder: config.json says which engine wrote it (as `retort resume` tells them apart).
    static func runFolder(_ folder: URL) throws -> SimModelSource {
        let file = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try RegularFile.read(file.path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw InputFileError(file: file.path, line: nil, field: nil, e.message + " (a run folder of retort train, distill or attention train holds config.json)")
        }
        func decode<T: Decodable>(_ t: T.Type, _ what: String) throws -> T {
            do { return try JSONDecoder().decode(t, from: data) } catch {
                throw InputFileError(file: file.path, line: nil, field: nil, "not a \(what) config: \(Self.describe(error))")
            }
        }
        let name = folder.lastPathComponent
        if ResumeCommand.isAttentionRun(folder) {
            let c = try decode(AttentionTrainConfig.self, "retort attention train")
            do { try c.model.validate() } catch { throw InputFileError(file: file.path, line: nil, field: "vit", "\(error)") }
            var s = SimModelSource(name: name, architecture: .vit(transformer(c.model, name: c.model.name)),
                                   origin: "attention run \(folder.path) (\(c.kind.rawValue))", runAttention: c.kind, folder: folder)
            s.runCentring = c.kind == .taylorRepo ? .head : KeyCentring(rawValue: (c.centring ?? .tokens).rawValue)
            return s
        }
        if ResumeCommand.isDistillRun(folder) {
            let c = try decode(DistillConfig.self, "retort distill")
            return try distill(c, name: name, folder: folder, file: file.path)
        }
        let c = try decode(TrainConfig.self, "retort train")
        let sig = try signature(c.data, c.dataOptions, file: file.path)
        let arch: Architecture
        switch c.model {
        case .mlp:
            arch = .mlp(inputs: sig.shape.featureCount, hidden: c.mlpHidden.map { scale($0, c.width) }, classes: sig.classCount)
        case .cnn:
            do { arch = .cnn(try TinyCNNConfig.make(c.cnn, for: sig.modelShape, width: c.width)) }
            catch { throw InputFileError(file: file.path, line: nil, field: "cnn", "\(error)") }
        }
        return SimModelSource(name: name, architecture: arch, origin: "train run \(folder.path) (\(c.model.rawValue), width ×\(formatFactor(c.width)))", folder: folder)
    }

    /// The images and classes a run's model was built for: a sample's are known, a data
    /// file's are read from it.
    static func signature(_ source: DataSource, _ settings: DataReadSettings?, file: String) throws -> DataSignature {
        if let s = source.sample { return DataSignature(s) }
        guard case .path(let path) = source else { preconditionFailure() }
        do {
            let read = try (settings ?? DataReadSettings()).withSidecar(of: path)
            let raw = try ImageSetReader.load(path: path, options: try read.loadOptions())
            return DataSignature(shape: raw.shape, classCount: raw.classCount)
        } catch { throw InputFileError(file: file, line: nil, field: "data", "\(error)") }
    }

    static func distill(_ c: DistillConfig, name: String, folder: URL, file: String) throws -> SimModelSource {
        var s: SimModelSource
        let sig = try signature(c.data, c.dataOptions, file: file)
        func factors(_ list: [Float], _ n: Int, _ field: String) throws -> [Float] {
            if list.count == 1 { return Array(repeating: list[0], count: n) }
            guard list.count == n else { throw InputFileError(file: file, line: nil, field: field, "\(list.count) factors for \(n) groups (give 1 or \(n))") }
            return list
        }
        switch c.model {
        case .mlp:
            let hidden = c.mlpHidden.map { scale($0, c.studentWidth) }
            s = SimModelSource(name: name, architecture: .mlp(inputs: sig.shape.featureCount, hidden: hidden, classes: sig.classCount),
                               origin: "distill run \(folder.path) (student, mlp)", folder: folder)
            s.teacher = LayerShapes.mlp(name: name + "-teacher", inputs: sig.shape.featureCount, hidden: hidden, classes: sig.classCount,
                                       width: try factors(c.teacherWidth, hidden.count, "teacherWidth"))
        case .cnn:
            let cfg: TinyCNNConfig
            do { cfg = try WeightSharingNet.cnnConfig(c, shape: sig.modelShape) }
            catch { throw InputFileError(file: file, line: nil, field: "cnn", "\(error)") }
            s = SimModelSource(name: name, architecture: .cnn(cfg), origin: "distill run \(folder.path) (student, cnn)", folder: folder)
            let w = WidthChoice(output: try factors(c.teacherWidth, cfg.widthGroups, "teacherWidth"),
                                expand: try factors(c.teacherExpand, cfg.blocks.count, "teacherExpand"))
            s.teacher = cfg.layerShapes(name: name + "-teacher", width: w)
        }
        return s
    }

    static func scale(_ v: Int, _ f: Float) -> Int { max(1, Int((Float(v) * f).rounded())) }

    /// The CNN at a width multiplier, as `TrainingJob.makeModel` builds it.
    static func scaledCNN(_ c: TinyCNNConfig, _ width: Float) -> TinyCNNConfig {
        guard width != 1 else { return c }
        var cfg = c
        cfg.stem = scale(cfg.stem, width); cfg.head = scale(cfg.head, width)
        cfg.blocks = cfg.blocks.map { .init(out: scale($0.out, width), expand: $0.expand, stride: $0.stride) }
        return cfg
    }

    static func formatFactor(_ f: Float) -> String { f == f.rounded() ? String(Int(f)) : String(f) }

    static func describe(_ e: Error) -> String {
        switch e {
        case DecodingError.keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map { $0.stringValue }.joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        default: return "\(e)"
        }
    }

    /// The model's layers for a topology.
    func shape(attention: TransformerShape.Attention) -> LayerShapes {
        switch architecture {
        case .vit(let t): return t.layerShapes(attention: attention)
        case .cnn(let c): return c.layerShapes(name: name)
        case .mlp(let i, let h, let k): return .mlp(name: name, inputs: i, hidden: h, classes: k)
        }
    }

    /// The last epoch's measured mask density of the run's sparse path (metrics.jsonl), if any.
    func measuredMaskDensity() -> (density: Double, epoch: Int)? {
        guard let folder, let d = try? Data(contentsOf: folder.appendingPathComponent("metrics.jsonl")) else { return nil }
        var found: (Double, Int)?
        for line in d.split(separator: UInt8(ascii: "\n")) {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  o["kind"] as? String == "epoch", let v = o["mask_density"] as? Double, let e = o["epoch"] as? Int else { continue }
            found = (v, e)
        }
        return found
    }
}
