import ArgumentParser
import Attention
import Distill
import RetortModels
import TrainEngine

extension CNNSpec.Preset: ExpressibleByArgument {}

/// The model's shape for `train`, `tui` and `distill`: `--mlp-hidden`, `--cnn`, `--cnn-preset`.
/// The text is checked in `validate()` (one line naming the field and what is allowed).
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("MLP hidden widths at width 1, comma-separated, e.g. 512,256,128 (default: train 256,256; distill: the student's, 4,4).",
                               valueName: "w1,w2,…"))
    var mlpHidden: String?
    @Option(help: ArgumentHelp("CNN spec in the MobileNetV2 table's form: \(CNNSpec.grammar); a row t,c,n,s[,k] is n inverted-residual blocks (expand t, c channels, only the first at stride s, depthwise kernel k, default 3), e.g. \"stem=16/2; 1,16,1,1; 6,24,2,2; 6,32,3,2,5; head=96\". res= must equal the data's images (default: theirs). See docs/models.md.",
                               valueName: "spec"))
    var cnn: String?
    @Option(help: "CNN preset: tiny-mnist, tiny-digits (Retort's tiny nets; the default picks one by image size), mbv2-tiny (NetAug's MobileNetV2-Tiny), mcunet (NetAug's MCUNet, with a 1×1 head conv).")
    var cnnPreset: CNNSpec.Preset?

    func validate() throws {
        do {
            if let mlpHidden { _ = try MLPSpec.parseHidden(mlpHidden) }
            if cnn != nil && cnnPreset != nil { throw ModelSpecError("cnn: give --cnn or --cnn-preset, not both") }
            _ = try cnnSpec()
        } catch let e as ModelSpecError { throw ValidationError(e.description) }
    }

    /// The CNN spec given (nil: the engine's default for the image size).
    func cnnSpec() throws -> CNNSpec? {
        if let cnn { return try CNNSpec.parse(cnn) }
        return cnnPreset?.spec
    }

    /// Sets the training config's model shape (after `validate()`).
    func apply(to c: inout TrainConfig) {
        if let mlpHidden, let h = try? MLPSpec.parseHidden(mlpHidden) { c.mlpHidden = h }
        if let s = try? cnnSpec() { c.cnn = s }
    }

    /// The options in `DistillConfig.set` form.
    var pairs: [(String, String)] {
        [("mlp-hidden", mlpHidden), ("cnn", cnn), ("cnn-preset", cnnPreset?.rawValue)].compactMap { k, v in v.map { (k, $0) } }
    }
}

/// The ViT's shape for `attention train`: `--vit "depth=4,width=64,heads=4,patch=4,mlp=4"`.
struct ViTOptions: ParsableArguments {
    @Option(help: ArgumentHelp("ViT shape: \(ViTSpec.grammar); keys not given keep the data set's preset (depth 4, width 64, heads 4, patch 4 on MNIST / 2 on digits, MLP ratio 4); --width/--depth/--heads override it.",
                               valueName: "spec"))
    var vit: String?

    func validate() throws {
        if let vit { do { _ = try ViTSpec.parse(vit) } catch let e as AttentionError { throw ValidationError(e.description) } }
    }

    /// Applies the spec over the config's ViT (after `validate()`).
    func apply(to c: inout AttentionTrainConfig) {
        guard let vit, let s = try? ViTSpec.parse(vit) else { return }
        c.vit = s.applied(to: c.model)
    }
}
