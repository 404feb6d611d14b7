import RetortCore

/// A classifier built from core layers. Parameters are allocated at the model's
/// maximum width; `setWidth` selects the first-k-channel sub-network that runs.
public protocol Model: Layer {
    var name: String { get }
    var inputShape: [Int] { get }          // per sample, e.g. [784] or [28, 28, 1]
    var classCount: Int { get }
    /// Widest configuration the parameters were allocated for.
    var maxWidth: WidthChoice { get }
    /// Selects the active sub-network (every factor ≤ the maximum's).
    func setWidth(_ w: WidthChoice)
    /// Human-readable layer summary.
    func summary() -> String
    /// Every BatchNorm layer in forward order (none for models without normalisation).
    var batchNorms: [BatchNorm] { get }
}

extension Model {
    public var batchNorms: [BatchNorm] { [] }
}

/// Per-group width factors of a sliceable model, relative to the base (student) widths.
/// `output[i]` scales the output channels of width group i (stem, blocks without a
/// shortcut, head or an MLP hidden layer); `expand[j]` scales the hidden (expanded) width
/// of inverted-residual block j. Classifier outputs are never widened.
public struct WidthChoice: Equatable, Sendable, Codable, CustomStringConvertible {
    public var output: [Float]
    public var expand: [Float]
    public init(output: [Float], expand: [Float] = []) { self.output = output; self.expand = expand }
    public static func uniform(output: Float, expand: Float = 1, groups: Int, blocks: Int) -> WidthChoice {
        WidthChoice(output: Array(repeating: output, count: groups), expand: Array(repeating: expand, count: blocks))
    }
    public var description: String {
        func f(_ a: [Float]) -> String { a.map { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.2g", $0) }.joined(separator: ",") }
        return expand.isEmpty ? "out[\(f(output))]" : "out[\(f(output))] expand[\(f(expand))]"
    }
}

/// make_divisible(base·factor, 1) as in NetAug: round to the nearest integer, at least 1.
@inline(__always) func scaled(_ base: Int, _ factor: Float) -> Int { max(1, Int((Float(base) * factor).rounded())) }

public extension Model {
    var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}
