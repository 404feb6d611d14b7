import Accelerator
import ArgumentParser
import RetortModels
import RunKit

/// `sim vitality`'s ViT shape flags: each replaces one dimension of the `--model` ViT.
struct ViTShapeOptions: ParsableArguments {
    @Option(help: "Tokens n (patches + class token); instead of --image/--patch.") var tokens: Int?
    @Option(help: "Square image side S in pixels (n = (S/P)² + 1 with --patch P).") var image: Int?
    @Option(help: "Square patch side P in pixels.") var patch: Int?
    @Option(help: "Image channels (the patch embedding's input; the accelerator model starts after it).") var channels: Int?
    @Option(help: "Embedding width C (a multiple of --heads).") var dim: Int?
    @Option(help: "Attention heads H (d = C/H).") var heads: Int?
    @Option(help: "The model's depth (transformer blocks); --layers simulates only the first N of them.") var depth: Int?
    @Option(name: .customLong("mlp-ratio"), help: "MLP hidden width as a multiple of C.") var mlpRatio: Int?

    var given: [String] {
        var g: [String] = []
        for (flag, v) in [("--tokens", tokens), ("--image", image), ("--patch", patch), ("--channels", channels), ("--dim", dim),
                          ("--heads", heads), ("--depth", depth), ("--mlp-ratio", mlpRatio)] {
            if let v { g.append("\(flag) \(v)") }
        }
        return g
    }

    /// `base` with the given dimensions replaced, validated (one line naming the flag).
    func apply(to base: TransformerShape) throws -> TransformerShape {
        for (flag, v, limit) in [("--tokens", tokens, SizeLimits.vitTokens), ("--image", image, SizeLimits.vitImage),
                                 ("--patch", patch, SizeLimits.vitImage), ("--channels", channels, SizeLimits.vitChannels),
                                 ("--dim", dim, SizeLimits.vitWidth), ("--heads", heads, SizeLimits.vitHeads),
                                 ("--depth", depth, SizeLimits.vitDepth), ("--mlp-ratio", mlpRatio, SizeLimits.vitMLPRatio)] {
            guard let v else { continue }
            guard v >= 1 else { throw ConfigError("\(flag): must be ≥ 1, got \(v)") }
            guard v <= limit else { throw ConfigError("\(flag): \(SizeLimits.tooLarge(v, limit))") }
        }
        if tokens != nil, image != nil || patch != nil {
            throw ConfigError("--tokens: give either --tokens or --image/--patch, not both")
        }
        var t = base
        if let tokens { t.tokens = tokens; t.patchEmbedding = nil }
        if image != nil || patch != nil || channels != nil {
            guard let s = image ?? base.patchEmbedding?.image, let p = patch ?? base.patchEmbedding?.patch else {
                let missing = image == nil ? "--image" : "--patch"
                throw ConfigError("\(missing): needed (\(base.name) is given by its token count, not an image)")
            }
            guard p <= s, s % p == 0 else {
                throw ConfigError("--image: \(s) is not a multiple of the patch side \(p) (the image must split into whole patches)")
            }
            let e = TransformerShape.PatchEmbedding(image: s, patch: p, channels: channels ?? base.patchEmbedding?.channels ?? 3)
            t.patchEmbedding = e; t.tokens = e.patches + 1
        }
        if let dim { t.width = dim }
        if let heads { t.heads = heads }
        if let depth { t.depth = depth }
        if let mlpRatio { t.mlpRatio = mlpRatio }
        if !given.isEmpty { t.name = "custom" }
        try Self.validate(t, source: given.isEmpty ? base.name : nil)
        return t
    }

    /// The shape's bounds and divisibility, also for presets and run folders: errors name the
    /// flag (`source` nil) or the model and its field.
    static func validate(_ t: TransformerShape, source: String?) throws {
        func label(_ flag: String, _ field: String) -> String { source.map { "\($0): \(field)" } ?? flag }
        guard t.width % t.heads == 0 else {
            throw ConfigError("\(label("--dim", "width")): \(t.width) is not a multiple of the \(t.heads) heads (the head dimension d = C/H must be whole)")
        }
        for (flag, field, v, limit) in [("--tokens", "tokens", t.tokens, SizeLimits.vitTokens), ("--dim", "width", t.width, SizeLimits.vitWidth),
                                        ("--heads", "heads", t.heads, SizeLimits.vitHeads), ("--depth", "depth", t.depth, SizeLimits.vitDepth),
                                        ("--mlp-ratio", "mlp ratio", t.mlpRatio, SizeLimits.vitMLPRatio)] where v < 1 || v > limit {
            throw ConfigError("\(label(flag, field)): \(v < 1 ? "must be ≥ 1, got \(v)" : SizeLimits.tooLarge(v, limit))")
        }
        guard t.heads * t.depth <= SizeLimits.vitHeadLayers else {
            throw ConfigError("\(label("--depth", "depth")): \(t.heads) heads × \(t.depth) layers = \(t.heads * t.depth) head-layers; the accelerator model schedules at most \(SizeLimits.vitHeadLayers)")
        }
    }
}
