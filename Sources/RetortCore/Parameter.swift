/// A trainable tensor with its gradient buffer.
///
/// `grad` is a full-size buffer that backward passes *accumulate* into (as PyTorch's
/// `.grad`). Engines that need several gradient buffers (e.g. teacher and student in
/// NetDistiller) swap `grad` for their own buffer before a backward pass.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public var grad: Tensor
    /// Whether weight decay applies (false for biases and normalisation parameters).
    public let decays: Bool

    public init(_ name: String, _ value: Tensor, decays: Bool) {
        self.name = name
        self.value = value
        self.grad = Tensor(shape: value.shape)
        self.decays = decays
    }
    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
}

/// A layer with an explicit forward and backward pass (llm.c style).
/// `forward` caches what `backward` needs; `backward` takes dL/dy, accumulates
/// parameter gradients into `Parameter.grad` and returns dL/dx.
public protocol Layer: AnyObject {
    var parameters: [Parameter] { get }
    func forward(_ x: Tensor, training: Bool) -> Tensor
    func backward(_ dy: Tensor) -> Tensor
    /// The parameter gradients of `backward` without the input gradient: what a network's first
    /// layer runs, since nothing needs the gradient of the data (as PyTorch skips it for inputs
    /// that do not require grad). The default runs `backward` and drops its result.
    func backwardParameters(_ dy: Tensor)
    /// State that is not trained by gradients but belongs to the model (BatchNorm running
    /// statistics), named like parameters; checkpoints save and restore it.
    var buffers: [(name: String, tensor: Tensor)] { get }
}

public extension Layer {
    var parameters: [Parameter] { [] }
    var buffers: [(name: String, tensor: Tensor)] { [] }
    func zeroGrad() { for p in parameters { p.grad.zero() } }
    func backwardParameters(_ dy: Tensor) { _ = backward(dy) }
}

/// Runs layers one after another.
public final class Sequential: Layer {
    public var layers: [Layer]
    public init(_ layers: [Layer]) { self.layers = layers }
    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public var buffers: [(name: String, tensor: Tensor)] { layers.flatMap { $0.buffers } }
    /// A BatchNorm directly followed by a ReLU6 runs as one fused pass in each direction
    /// (one sweep over memory instead of two; results identical to running them apart).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var h = x
        var i = 0
        while i < layers.count {
            if i + 1 < layers.count, let bn = layers[i] as? BatchNorm, let relu = layers[i + 1] as? ReLU6 {
                h = bn.forward(h, training: training, clampingTo6: true)
                relu.output = h
                i += 2
            } else {
                h = layers[i].forward(h, training: training)
                i += 1
            }
        }
        return h
    }
    /// Backward fuses, likewise, a 1×1 Conv2d (without bias) → BatchNorm [→ ReLU6] (see
    /// `Conv2d.backwardThroughBatchNorm`).
    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// Parameter gradients only: the first layer skips its input gradient when it is a plain layer.
    public func backwardParameters(_ dy: Tensor) { _ = backward(dy, inputGradient: false) }

    private func backward(_ dy: Tensor, inputGradient: Bool) -> Tensor {
        var g = dy
        var i = layers.count - 1
        while i >= 0 {
            // BatchNorm at index b, with the fused ReLU6 after it when relu is true.
            var bnAt: (b: Int, relu: Bool)?
            if i >= 1, let relu = layers[i] as? ReLU6, let bn = layers[i - 1] as? BatchNorm, bn.canBackwardThroughReLU6(relu) {
                bnAt = (i - 1, true)
            } else if layers[i] is BatchNorm {
                bnAt = (i, false)
            }
            if let (b, relu) = bnAt, let bn = layers[b] as? BatchNorm {
                if b >= 1, let conv = layers[b - 1] as? Conv2d, conv.canBackwardThroughBatchNorm(bn) {
                    g = conv.backwardThroughBatchNorm(bn, g, throughReLU6: relu)
                    i = b - 2
                } else {
                    g = relu ? bn.backward(g, throughReLU6: true) : bn.backward(g)
                    i = b - 1
                }
            } else if i == 0 && !inputGradient {
                layers[0].backwardParameters(g)
                i -= 1
            } else {
                g = layers[i].backward(g)
                i -= 1
            }
        }
        return g
    }
}
