import RetortCore

/// MobileNetV2 inverted-residual block: 1×1 expand → BN → ReLU6 → k×k depthwise (stride, padding k/2)
/// → BN → ReLU6 → 1×1 project → BN, plus an identity shortcut when stride is 1 and the
/// input and output widths match. Expansion is skipped when the base expand ratio is 1.
public final class InvertedResidual: Layer {
    public let expandConv: Conv2d?
    public let depthwise: Conv2d
    public let project: Conv2d
    public let hasShortcut: Bool
    public let baseExpand: Int
    /// The block's BatchNorm layers in forward order (expand_bn if any, dw_bn, project_bn).
    public let batchNorms: [BatchNorm]
    private let body: Sequential

    init(inMax: Int, midMax: Int, outMax: Int, baseExpand: Int, stride: Int, kernel: Int = 3, shortcut: Bool,
         perWidthBN: Bool, name: String, rng: inout RNG) {
        self.baseExpand = baseExpand
        hasShortcut = shortcut
        var layers: [Layer] = []
        if baseExpand != 1 {
            let e = Conv2d(inMax, midMax, kernel: 1, bias: false, name: "\(name).expand", rng: &rng)
            expandConv = e
            layers += [e, BatchNorm(midMax, perWidthStatistics: perWidthBN, name: "\(name).expand_bn"), ReLU6()]
        } else { expandConv = nil }
        depthwise = Conv2d(midMax, midMax, kernel: kernel, stride: stride, padding: kernel / 2, groups: midMax, bias: false,
                           name: "\(name).dw", rng: &rng)
        project = Conv2d(midMax, outMax, kernel: 1, bias: false, name: "\(name).project", rng: &rng)
        layers += [depthwise, BatchNorm(midMax, perWidthStatistics: perWidthBN, name: "\(name).dw_bn"), ReLU6(),
                   project, BatchNorm(outMax, perWidthStatistics: perWidthBN, name: "\(name).project_bn")]
        batchNorms = layers.compactMap { $0 as? BatchNorm }
        body = Sequential(layers)
    }

    public var parameters: [Parameter] { body.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { body.buffers }

    /// Sets the active hidden and output widths for an input of `inWidth` channels.
    func setActive(inWidth: Int, mid: Int, out: Int) {
        expandConv?.activeOut = mid
        project.activeOut = hasShortcut ? inWidth : out
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = body.forward(x, training: training)
        guard hasShortcut else { return y }
        precondition(y.shape == x.shape, "shortcut shape mismatch \(x.shape) vs \(y.shape)")
        addInPlace(y, x)
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dx = body.backward(dy)
        if hasShortcut { addInPlace(dx, dy) }
        return dx
    }

    /// a += b elementwise, in parallel chunks for large tensors.
    private func addInPlace(_ a: Tensor, _ b: Tensor) {
        let ap = a.data, bp = UnsafePointer(b.data)
        parallelChunks(a.count, minChunk: 1 << 16) { _, r in
            Elementwise.add(r.count, ap + r.lowerBound, bp + r.lowerBound, into: ap + r.lowerBound)
        }
    }
}
