import RunKit
import RetortData

/// Shape of a Vision Transformer: square images cut into square patches, a CLS token,
/// learned position embeddings, `depth` pre-norm blocks of `heads`-head attention and an
/// MLP of `mlpRatio`·width, a final LayerNorm and a linear classifier on the CLS token.
public struct ViTConfig: Codable, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var imageSize: Int
    public var channels: Int
    public var patchSize: Int
    public var width: Int
    public var heads: Int
    public var depth: Int
    public var mlpRatio: Int
    public var classes: Int

    public init(name: String, imageSize: Int, channels: Int = 1, patchSize: Int, width: Int, heads: Int,
                depth: Int, mlpRatio: Int = 4, classes: Int = 10) {
        self.name = name; self.imageSize = imageSize; self.channels = channels; self.patchSize = patchSize
        self.width = width; self.heads = heads; self.depth = depth; self.mlpRatio = mlpRatio; self.classes = classes
    }

    /// Patches per side, patches, and tokens (patches + CLS).
    public var grid: Int { imageSize / patchSize }
    public var patches: Int { grid * grid }
    public var tokens: Int { patches + 1 }
    public var headDim: Int { width / heads }
    public var patchFeatures: Int { patchSize * patchSize * channels }

    /// MNIST 28×28: patch 4 → 49 patches + CLS, width 64, 4 heads (d = 16), 4 layers.
    public static let mnist = ViTConfig(name: "vit-mnist", imageSize: 28, patchSize: 4, width: 64, heads: 4, depth: 4)
    /// Digits 8×8: patch 2 → 16 patches + CLS, width 64, 4 heads, 4 layers.
    public static let digits = ViTConfig(name: "vit-digits", imageSize: 8, patchSize: 2, width: 64, heads: 4, depth: 4)
    /// DeiT at 224² with 16² patches (n = 197), for op counting (src/models.py of the released code).
    public static let deitTiny = ViTConfig(name: "deit-tiny", imageSize: 224, channels: 3, patchSize: 16, width: 192, heads: 3, depth: 12, classes: 1000)
    public static let deitSmall = ViTConfig(name: "deit-small", imageSize: 224, channels: 3, patchSize: 16, width: 384, heads: 6, depth: 12, classes: 1000)
    public static let deitBase = ViTConfig(name: "deit-base", imageSize: 224, channels: 3, patchSize: 16, width: 768, heads: 12, depth: 12, classes: 1000)

    public static let presets: [ViTConfig] = [.mnist, .digits, .deitTiny, .deitSmall, .deitBase]
    public static func preset(_ name: String) -> ViTConfig? { presets.first { $0.name == name } }

    public func validate() throws {
        func bad(_ what: String) -> AttentionError { AttentionError("vit \(name): \(what)") }
        if imageSize < 1 || channels < 1 || patchSize < 1 { throw bad("image size, channels and patch size must be ≥ 1") }
        if imageSize % patchSize != 0 { throw bad("patch size \(patchSize) must divide the image size \(imageSize)") }
        if heads < 1 || width % heads != 0 { throw bad("heads \(heads) must divide the width \(width)") }
        if depth < 1 || mlpRatio < 1 || classes < 2 { throw bad("depth and mlp ratio must be ≥ 1 and classes ≥ 2") }
        // bounds before any product of them is taken in `Int` (parameterCount)
        if imageSize > 4096 || channels > 64 || width > 65_536 || depth > 4096 || mlpRatio > 64 || classes > 1_000_000 {
            throw bad("image size at most 4096, channels 64, width 65536, depth 4096, mlp ratio 64, classes 1000000")
        }
        let params = parameterEstimate
        if params > Double(OptionBounds.parameters) {
            throw bad("\(params < 9e18 ? String(Int(params)) : String(params)) parameters \(OptionBounds.memoryText(parameters: params)) for weights, gradients and AdamW state (at most \(OptionBounds.parameters) parameters; lower --width or --depth)")
        }
    }

    /// `parameterCount` in floating point (cannot overflow; for the bound in `validate`).
    public var parameterEstimate: Double {
        let c = Double(width), h = Double(mlpRatio) * c, t = Double(tokens), f = Double(patchFeatures), k = Double(classes)
        let block = 2 * c + (3 * c * c + 3 * c) + (c * c + c) + 2 * c + (c * h + h) + (h * c + c)
        return f * c + c + c + t * c + Double(depth) * block + 2 * c + c * k + k
    }

    /// Trainable parameters (patch projection, CLS, positions, blocks, final norm, head).
    public var parameterCount: Int {
        let c = width, h = mlpRatio * width
        let block = 2 * c + (3 * c * c + 3 * c) + (c * c + c) + 2 * c + (c * h + h) + (h * c + c)
        return patchFeatures * c + c + c + tokens * c + depth * block + 2 * c + c * classes + classes
    }

    public var description: String {
        "\(name): \(imageSize)²×\(channels), patch \(patchSize) → \(patches)+1 tokens, width \(width), \(heads) heads (d = \(headDim)), \(depth) layers, MLP ×\(mlpRatio)"
    }
}

extension ViTConfig {
    /// The ViT for a data set's images: `vit-mnist` for 28×28 grey images and `vit-digits`
    /// for 8×8 (the bundled samples' models), each with the data's class count; other square
    /// images get width 64, 4 heads, depth 4 and the smallest patch that leaves at most 8×8
    /// patches (32×32 → patch 4, 64 patches).
    public static func preset(for data: DataSignature) throws -> ViTConfig {
        let s = data.shape
        guard s.height == s.width else {
            throw AttentionError("vit: takes square images, the data's are \(s.height)×\(s.width)")
        }
        var v: ViTConfig
        if s.height == 28 && s.channels == 1 { v = .mnist }
        else if s.height == 8 && s.channels == 1 { v = .digits }
        else {
            let side = s.height
            let patch = (1...side).first { side % $0 == 0 && side / $0 <= 8 } ?? side
            v = ViTConfig(name: "vit-\(side)x\(side)x\(s.channels)", imageSize: side, channels: s.channels, patchSize: patch,
                          width: 64, heads: 4, depth: 4)
        }
        v.classes = data.classCount
        return v
    }
}
