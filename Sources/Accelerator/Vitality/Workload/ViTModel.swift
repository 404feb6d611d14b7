/// A ViT workload for the accelerator model (spec vitality §1.1, §5.1).
public struct ViTModel: Sendable, Hashable {
    public var name: String
    /// Tokens n (patches + CLS).
    public var tokens: Int
    /// Embedding width C.
    public var embed: Int
    public var heads: Int
    public var layers: Int
    public var mlpRatio: Int
    /// d = C / H.
    public var headDim: Int { embed / heads }

    public init(name: String, tokens: Int, embed: Int, heads: Int, layers: Int, mlpRatio: Int) {
        precondition(embed % heads == 0, "embed must be divisible by heads")
        self.name = name; self.tokens = tokens; self.embed = embed; self.heads = heads
        self.layers = layers; self.mlpRatio = mlpRatio
    }

    /// Tokens of a square image cut into square patches, plus the CLS token.
    public static func tokens(image: Int, patch: Int) -> Int { (image / patch) * (image / patch) + 1 }

    /// DeiT at 224² with 16² patches: n = 197, d = 64, 12 layers, MLP ratio 4.
    public static let deitTiny = ViTModel(name: "deit-tiny", tokens: tokens(image: 224, patch: 16), embed: 192, heads: 3, layers: 12, mlpRatio: 4)
    public static let deitSmall = ViTModel(name: "deit-small", tokens: tokens(image: 224, patch: 16), embed: 384, heads: 6, layers: 12, mlpRatio: 4)
    public static let deitBase = ViTModel(name: "deit-base", tokens: tokens(image: 224, patch: 16), embed: 768, heads: 12, layers: 12, mlpRatio: 4)
    /// The MNIST ViT: 28² images, patch 4 → 49 patches + CLS, width 64, 4 heads (d = 16), 4 layers.
    public static let mnistViT = ViTModel(name: "mnist-vit", tokens: tokens(image: 28, patch: 4), embed: 64, heads: 4, layers: 4, mlpRatio: 4)

    public static let presets: [ViTModel] = [deitTiny, deitSmall, deitBase, mnistViT]
    public static func preset(_ name: String) -> ViTModel? { presets.first { $0.name == name } }
}

/// Which attention the accelerator runs.
public enum AttentionKind: String, CaseIterable, Sendable, Codable {
    /// ViTALiTy's six-step linear Taylor attention (paper Algorithm 1; spec vitality §1.2).
    case taylor
    /// softmax(QKᵀ/√d)·V on the same hardware (exp unit added).
    case softmax
    /// Sanger's predicted-mask sparse attention on the same PEs (exp unit added; spec sanger).
    case sanger

    /// Runs an exp array (softmax and Sanger; Taylor has none).
    public var usesExp: Bool { self != .taylor }
}
