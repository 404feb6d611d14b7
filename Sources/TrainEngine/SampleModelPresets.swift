import RetortData
import RetortModels
import RunKit

extension TinyCNNConfig {
    /// The tiny CNN sized for a data set's images: `mnist` for 28×28 grey images, `digits`
    /// for 8×8 (the bundled samples' nets, unchanged); other square images get the MNIST net
    /// with its input side and channels (stem stride 2 from 16×16 up, else the digits net).
    public static func preset(for data: DataSignature) throws -> TinyCNNConfig {
        let s = data.shape
        guard s.height == s.width else {
            throw ConfigError("model cnn: the tiny CNN takes square images, the data's are \(s.height)×\(s.width) (use --model mlp)")
        }
        var cfg: TinyCNNConfig = s.height >= 16 ? .mnist(classes: data.classCount) : .digits(classes: data.classCount)
        cfg.inputSide = s.height
        cfg.inputChannels = s.channels
        return cfg
    }
}
