/// One compute layer of a model as shapes only (no weights and no hardware types): what a
/// hardware simulator needs to time the model. Normalisation, activations, pooling,
/// softmax and residual adds carry no multiply-accumulates and are not listed.
public enum LayerShape: Sendable, Hashable {
    case conv(ConvShape)
    case matmul(MatmulShape)

    public var name: String {
        switch self {
        case .conv(let c): return c.name
        case .matmul(let m): return m.name
        }
    }

    /// Multiply-accumulates of the layer.
    public var macs: Int {
        switch self {
        case .conv(let c): return c.macs
        case .matmul(let m): return m.m * m.k * m.n
        }
    }
}

/// A 2-D convolution of an H×W×`inChannels` input, zero-padded by `padding` on every side,
/// with `outChannels` square `kernel`×`kernel` filters, one `stride` in both directions, in
/// `groups` groups (`groups == inChannels == outChannels`: depthwise).
public struct ConvShape: Sendable, Hashable {
    public var name: String
    public var inputHeight: Int, inputWidth: Int
    public var inChannels: Int, outChannels: Int
    public var kernel: Int, stride: Int, padding: Int, groups: Int

    public init(name: String, inputHeight: Int, inputWidth: Int, inChannels: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, "groups must divide the channels")
        self.name = name; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding; self.groups = groups
    }

    /// ⌊(H + 2p − k)/s⌋ + 1, as PyTorch and `Conv2d` compute it.
    public var outputHeight: Int { (inputHeight + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (inputWidth + 2 * padding - kernel) / stride + 1 }
    /// Rows (columns) of the padded input the filters actually read: (out − 1)·s + k.
    public var readHeight: Int { (outputHeight - 1) * stride + kernel }
    public var readWidth: Int { (outputWidth - 1) * stride + kernel }
    public var isDepthwise: Bool { groups > 1 && groups == inChannels && groups == outChannels }
    public var macs: Int { outputHeight * outputWidth * kernel * kernel * (inChannels / groups) * outChannels }
}

/// C[M×N] = A[M×K]·B[K×N]: a linear layer applied to M rows (tokens or images), or one of
/// attention's products.
public struct MatmulShape: Sendable, Hashable {
    public var name: String
    public var m: Int, k: Int, n: Int
    public init(name: String, m: Int, k: Int, n: Int) { self.name = name; self.m = m; self.k = k; self.n = n }
}

/// A model as the ordered list of its compute layers.
public struct LayerShapes: Sendable, Hashable {
    public var name: String
    public var layers: [LayerShape]
    public init(name: String, layers: [LayerShape]) { self.name = name; self.layers = layers }
    public var macs: Int { layers.reduce(0) { $0 + $1.macs } }
}
