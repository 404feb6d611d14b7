/// [N, …] → [N, rest] as a view of the same memory; backward reshapes dy back.
public final class Flatten: Layer {
    private var inputShape: [Int] = []
    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 1, "Flatten needs a batch dimension")
        inputShape = x.shape
        let n = x.dim(0)
        return x.reshaped([n, n == 0 ? 0 : x.count / n])
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(!inputShape.isEmpty, "Flatten.backward before forward")
        return dy.reshaped(inputShape)
    }
}
