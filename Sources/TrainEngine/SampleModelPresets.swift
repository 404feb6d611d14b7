import RetortData
import RetortModels

extension TinyCNNConfig {
    /// The tiny CNN sized for a data set's images: `mnist` for 28×28, `digits` for 8×8.
    public static func preset(for sample: SampleData) -> TinyCNNConfig {
        switch sample {
        case .mnist5k: return .mnist(classes: sample.classCount)
        case .digits: return .digits(classes: sample.classCount)
        }
    }
}

extension SampleData {
    /// The images (side × side × 1) and classes of the data set, which models are built for.
    public var modelShape: ModelShape { ModelShape(height: imageSide, width: imageSide, channels: 1, classes: classCount) }
}
