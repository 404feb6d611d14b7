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
}

public extension Layer {
    var parameters: [Parameter] { [] }
    func zeroGrad() { for p in parameters { p.grad.zero() } }
}

/// Runs layers one after another.
public final class Sequential: Layer {
    public var layers: [Layer]
    public init(_ layers: [Layer]) { self.layers = layers }
    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var h = x
        for l in layers { h = l.forward(h, training: training) }
        return h
    }
    public func backward(_ dy: Tensor) -> Tensor {
        var g = dy
        for l in layers.reversed() { g = l.backward(g) }
        return g
    }
}
