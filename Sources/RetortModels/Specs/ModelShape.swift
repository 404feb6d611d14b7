/// What a model is built for: images of height × width × channels (an MLP takes their
/// features flattened) and the number of classes. The data decides it at run time.
public struct ModelShape: Codable, Sendable, Equatable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var classes: Int

    public init(height: Int, width: Int, channels: Int, classes: Int) {
        self.height = height; self.width = width; self.channels = channels; self.classes = classes
    }

    /// Features per sample (the MLP's inputs).
    public var features: Int { height * width * channels }
    public var description: String { "\(height)×\(width)×\(channels), \(classes) classes" }
}

extension TinyCNNConfig {
    /// The CNN of `spec` (nil: Retort's tiny net for the image size, `CNNSpec.defaultPreset`)
    /// for `shape`, every channel count times `width`. Throws a one-line `ModelSpecError`
    /// for a bad spec or a resolution other than the images'.
    public static func make(_ spec: CNNSpec?, for shape: ModelShape, width: Float = 1) throws -> TinyCNNConfig {
        let s = spec ?? CNNSpec.defaultPreset(height: shape.height, width: shape.width).spec
        return try s.config(height: shape.height, width: shape.width, channels: shape.channels, classes: shape.classes).scaled(by: width)
    }
}

extension MLP {
    /// The MLP for `shape` with base hidden widths `hidden` times `width` (rounded, at least 1).
    public convenience init(_ shape: ModelShape, hidden: [Int], width: Float = 1, maxFactor: Float = 1, seed: UInt64) {
        self.init(inputs: shape.features, hidden: hidden.map { max(1, Int((Float($0) * width).rounded())) },
                  classes: shape.classes, maxFactor: maxFactor, seed: seed)
    }
}
