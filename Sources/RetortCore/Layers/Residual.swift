/// y = x + inner(x). Backward sums the identity path and the inner path.
public final class Residual: Layer {
    public let inner: Layer
    public init(_ inner: Layer) { self.inner = inner }

    public var parameters: [Parameter] { inner.parameters }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let h = inner.forward(x, training: training)
        precondition(h.shape == x.shape, "Residual: inner output \(h.shape) differs from input \(x.shape)")
        return Elementwise.add(x, h)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dx = inner.backward(dy)
        precondition(dx.count == dy.count, "Residual.backward: inner dx \(dx.shape) vs dy \(dy.shape)")
        return Elementwise.add(dx, dy)
    }
}
