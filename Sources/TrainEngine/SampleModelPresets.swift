import RetortData
import RetortModels
import RunKit

extension TinyCNNConfig {
    /// Retort's tiny CNN for a data set's images (`make(nil, for:)`: the bundled samples'
    /// nets for 28×28 and 8×8, the same blocks for other sizes and channel counts).
    public static func preset(for data: DataSignature) throws -> TinyCNNConfig {
        try make(nil, for: data.modelShape)
    }
}

extension SampleData {
    /// The images (side × side × 1) and classes of the data set, which models are built for.
    public var modelShape: ModelShape { ModelShape(height: imageSide, width: imageSide, channels: 1, classes: classCount) }
}

extension DataSignature {
    /// The images and classes models are built for.
    public var modelShape: ModelShape {
        ModelShape(height: shape.height, width: shape.width, channels: shape.channels, classes: classCount)
    }
}
