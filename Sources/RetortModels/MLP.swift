import RetortCore

/// Multi-layer perceptron: input → [Linear → ReLU] × hidden → Linear(classes).
/// Hidden widths are base widths × the maximum width factor; any smaller factor runs
/// the first-k slice of every hidden layer.
public final class MLP: Model {
    public let name: String
    public let inputShape: [Int]
    public let classCount: Int
    public let baseHidden: [Int]
    public let maxWidth: WidthChoice
    private let linears: [Linear]
    private let net: Sequential

    /// - Parameters:
    ///   - hidden: base hidden widths (the tiny network's).
    ///   - maxFactor: allocate every hidden layer at base × maxFactor.
    public init(inputs: Int, hidden: [Int], classes: Int, maxFactor: Float = 1, seed: UInt64) {
        var rng = RNG(seed: seed)
        name = "mlp-" + ([inputs] + hidden + [classes]).map(String.init).joined(separator: "-")
        inputShape = [inputs]; classCount = classes; baseHidden = hidden
        maxWidth = WidthChoice(output: Array(repeating: maxFactor, count: hidden.count))
        var layers: [Layer] = []
        var ls: [Linear] = []
        var fanIn = inputs
        for (i, h) in hidden.enumerated() {
            let l = Linear(fanIn, scaled(h, maxFactor), name: "fc\(i + 1)", rng: &rng)
            ls.append(l); layers.append(l); layers.append(ReLU())
            fanIn = scaled(h, maxFactor)
        }
        let head = Linear(fanIn, classes, name: "classifier", rng: &rng)
        ls.append(head); layers.append(head)
        linears = ls; net = Sequential(layers)
    }

    public var parameters: [Parameter] { net.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { net.buffers }

    public func setWidth(_ w: WidthChoice) {
        precondition(w.output.count == baseHidden.count, "MLP has \(baseHidden.count) width groups, got \(w.output.count)")
        for (i, h) in baseHidden.enumerated() {
            let width = scaled(h, w.output[i])
            precondition(width <= linears[i].maxOut, "width factor \(w.output[i]) exceeds the allocated maximum")
            linears[i].activeOut = width
        }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor { net.forward(x, training: training) }
    public func backward(_ dy: Tensor) -> Tensor { net.backward(dy) }
    public func backwardParameters(_ dy: Tensor) { net.backwardParameters(dy) }

    public func summary() -> String {
        var s = "\(name): \(parameterCount) parameters (allocated at width \(maxWidth))\n"
        for l in linears { s += "  \(l.weight.name) [\(l.maxOut)×\(l.maxIn)] active out \(l.activeOut)\n" }
        return s
    }
}
