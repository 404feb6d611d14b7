/// The input shape and class count a model is built for.
public struct DataSignature: Sendable, Equatable, Codable {
    public let shape: ImageShape
    public let classCount: Int
    public init(shape: ImageShape, classCount: Int) { self.shape = shape; self.classCount = classCount }
    /// The signature of a bundled sample (known without reading it).
    public init(_ sample: SampleData) {
        self.init(shape: ImageShape(height: sample.imageSide, width: sample.imageSide, channels: 1), classCount: sample.classCount)
    }
}

extension DataSignature {
    /// The bundled samples' signatures (28×28×1 and 8×8×1, 10 classes).
    public static let mnist5k = DataSignature(.mnist5k)
    public static let digits = DataSignature(.digits)
}
