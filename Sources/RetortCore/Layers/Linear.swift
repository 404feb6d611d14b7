/// Fully connected layer y = x·Wᵀ + b with weights allocated at maximum width.
///
/// W is [maxOut, maxIn] (PyTorch layout). The active input width is taken from the
/// input's last dimension and the active output width from `activeOut`, so the layer
/// runs the first-k slice `W[:out, :in]` in place through BLAS leading dimensions.
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let maxIn: Int
    public let maxOut: Int
    public var activeOut: Int
    private var input: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, name: String = "linear", rng: inout RNG) {
        maxIn = inFeatures; maxOut = outFeatures; activeOut = outFeatures
        let w = Tensor(shape: [outFeatures, inFeatures])
        // PyTorch's default: kaiming_uniform(a=√5) ⇒ U(±1/√fan_in) for weights and bias.
        let bound = 1 / Float(inFeatures).squareRoot()
        w.fillUniform(-bound, bound, rng: &rng)
        weight = Parameter("\(name).weight", w, decays: true)
        if bias {
            let b = Tensor(shape: [outFeatures])
            b.fillUniform(-bound, bound, rng: &rng)
            self.bias = Parameter("\(name).bias", b, decays: false)
        } else { self.bias = nil }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let inF = x.lastDim, rows = x.rows, outF = activeOut
        precondition(inF <= maxIn && outF <= maxOut, "Linear: input width \(inF) / output \(outF) exceed \(maxIn)/\(maxOut)")
        input = x
        var shape = x.shape; shape[shape.count - 1] = outF
        let y = Tensor(uninitializedShape: shape)
        if let b = bias {
            for r in 0..<rows { (y.data + r * outF).update(from: b.value.data, count: outF) }
        }
        BLAS.gemm(transB: true, m: rows, n: outF, k: inF, a: x.data, lda: inF,
                  b: weight.value.data, ldb: maxIn, beta: bias == nil ? 0 : 1, c: y.data, ldc: outF)
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let x = accumulateParameterGradients(dy)
        let inF = x.lastDim, rows = x.rows, outF = dy.lastDim
        // dx = dy · W[:out, :in]
        let dx = Tensor(uninitializedShape: x.shape)
        BLAS.gemm(m: rows, n: inF, k: outF, a: dy.data, lda: outF, b: weight.value.data, ldb: maxIn,
                  c: dx.data, ldc: inF)
        return dx
    }

    /// dW and db only (a first layer: the input's gradient is not needed).
    public func backwardParameters(_ dy: Tensor) { _ = accumulateParameterGradients(dy) }

    /// Adds dyᵀ·x to W's gradient and dy's column sums to b's; returns the saved input.
    private func accumulateParameterGradients(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward before forward") }
        let inF = x.lastDim, rows = x.rows, outF = dy.lastDim
        // dW[:out, :in] += dyᵀ · x
        BLAS.gemm(transA: true, m: outF, n: inF, k: rows, a: dy.data, lda: outF, b: x.data, ldb: inF,
                  beta: 1, c: weight.grad.data, ldc: maxIn)
        if let b = bias {
            let g = b.grad.data
            for r in 0..<rows { let row = dy.data + r * outF; for j in 0..<outF { g[j] += row[j] } }
        }
        return x
    }
}
