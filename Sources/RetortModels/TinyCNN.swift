import RetortCore

/// Architecture of the tiny MobileNetV2-style CNN (base = the tiny network's widths).
public struct TinyCNNConfig: Codable, Sendable, Equatable {
    public struct Block: Codable, Sendable, Equatable {
        public var out: Int, expand: Int, stride: Int
        /// Depthwise kernel size (odd; nil = 3, as in files written before kernels were configurable).
        public var kernel: Int?
        public init(out: Int, expand: Int, stride: Int, kernel: Int? = nil) {
            self.out = out; self.expand = expand; self.stride = stride; self.kernel = kernel == 3 ? nil : kernel
        }
        /// The depthwise kernel size.
        public var kernelSize: Int { kernel ?? 3 }
    }
    /// Input height (and width unless `inputColumns` is set).
    public var inputSide: Int
    /// Input width when it differs from the height (nil = square; older configs have none).
    public var inputColumns: Int?
    public var inputChannels: Int
    public var classes: Int
    public var stem: Int
    public var stemStride: Int
    public var blocks: [Block]
    public var head: Int

    public init(inputSide: Int, inputColumns: Int? = nil, inputChannels: Int, classes: Int, stem: Int, stemStride: Int,
                blocks: [Block], head: Int) {
        self.inputSide = inputSide; self.inputColumns = inputColumns == inputSide ? nil : inputColumns
        self.inputChannels = inputChannels; self.classes = classes
        self.stem = stem; self.stemStride = stemStride; self.blocks = blocks; self.head = head
    }

    public var inputHeight: Int { inputSide }
    public var inputWidth: Int { inputColumns ?? inputSide }

    /// Every channel count (stem, block outputs, head) times `factor`, rounded, at least 1.
    public func scaled(by factor: Float) -> TinyCNNConfig {
        guard factor != 1 else { return self }
        func s(_ v: Int) -> Int { max(1, Int((Float(v) * factor).rounded())) }
        var c = self
        c.stem = s(stem); c.head = s(head)
        c.blocks = blocks.map { .init(out: s($0.out), expand: $0.expand, stride: $0.stride, kernel: $0.kernel) }
        return c
    }

    /// Default for 28×28 MNIST: 28 → 14 → 7 → 4.
    public static func mnist(classes: Int = 10) -> TinyCNNConfig {
        TinyCNNConfig(inputSide: 28, inputChannels: 1, classes: classes, stem: 16, stemStride: 2,
                      blocks: [.init(out: 16, expand: 2, stride: 1), .init(out: 24, expand: 4, stride: 2),
                               .init(out: 24, expand: 4, stride: 1), .init(out: 32, expand: 4, stride: 2)],
                      head: 96)
    }
    /// Default for 8×8 digits: 8 → 8 → 4 → 2.
    public static func digits(classes: Int = 10) -> TinyCNNConfig {
        TinyCNNConfig(inputSide: 8, inputChannels: 1, classes: classes, stem: 16, stemStride: 1,
                      blocks: [.init(out: 16, expand: 2, stride: 1), .init(out: 24, expand: 4, stride: 2),
                               .init(out: 32, expand: 4, stride: 2)],
                      head: 96)
    }
}

/// Tiny MobileNetV2-style CNN: stem conv 3×3 → BN → ReLU6, inverted-residual blocks,
/// head conv 1×1 → BN → ReLU6, global average pooling, linear classifier.
///
/// Width groups (for `WidthChoice.output`): the stem, every block without a shortcut,
/// and the head. Blocks with a shortcut keep their input width (as in NetAug).
/// `WidthChoice.expand[j]` scales block j's expand ratio.
public final class TinyCNN: Model {
    public let name: String
    public let config: TinyCNNConfig
    public let inputShape: [Int]
    public var classCount: Int { config.classes }
    public let maxWidth: WidthChoice
    let stem: Conv2d
    /// The inverted-residual blocks in forward order (after the rows are expanded).
    public let blocks: [InvertedResidual]
    let head: Conv2d
    let classifier: Linear
    /// Every BatchNorm layer in forward order (stem_bn, the blocks', head_bn).
    public let batchNorms: [BatchNorm]
    private let net: Sequential
    /// Index of the output width group of each block (nil for shortcut blocks).
    private let blockGroup: [Int?]

    public init(_ config: TinyCNNConfig, maxOutput: Float = 1, maxExpand: Float = 1,
                perWidthBatchNorm: Bool = false, seed: UInt64) {
        var rng = RNG(seed: seed)
        self.config = config
        name = "tinycnn-\(config.stem)-" + config.blocks.map { "\($0.out)x\($0.expand)" + ($0.kernelSize == 3 ? "" : "k\($0.kernelSize)") }
            .joined(separator: "-") + "-\(config.head)"
        inputShape = [config.inputHeight, config.inputWidth, config.inputChannels]
        var layers: [Layer] = []
        var groups = 0
        let stemMax = scaled(config.stem, maxOutput)
        stem = Conv2d(config.inputChannels, stemMax, kernel: 3, stride: config.stemStride, padding: 1, bias: false, name: "stem", rng: &rng)
        layers += [stem, BatchNorm(stemMax, perWidthStatistics: perWidthBatchNorm, name: "stem_bn"), ReLU6()]
        groups += 1
        var inBase = config.stem, inMax = stemMax
        var bs: [InvertedResidual] = [], bg: [Int?] = []
        for (j, b) in config.blocks.enumerated() {
            let shortcut = b.stride == 1 && b.out == inBase
            let outMax = shortcut ? inMax : scaled(b.out, maxOutput)
            let midMax = scaled(inMax * b.expand, maxExpand)
            let block = InvertedResidual(inMax: inMax, midMax: midMax, outMax: outMax, baseExpand: b.expand, stride: b.stride,
                                         kernel: b.kernelSize, shortcut: shortcut, perWidthBN: perWidthBatchNorm, name: "blocks.\(j)", rng: &rng)
            bs.append(block); layers.append(block)
            if shortcut { bg.append(nil) } else { bg.append(groups); groups += 1 }
            inBase = b.out; inMax = outMax
        }
        let headMax = scaled(config.head, maxOutput)
        head = Conv2d(inMax, headMax, kernel: 1, bias: false, name: "head", rng: &rng)
        layers += [head, BatchNorm(headMax, perWidthStatistics: perWidthBatchNorm, name: "head_bn"), ReLU6(), GlobalAvgPool()]
        groups += 1
        classifier = Linear(headMax, config.classes, name: "classifier", rng: &rng)
        layers.append(classifier)
        blocks = bs; blockGroup = bg
        batchNorms = layers.flatMap { l -> [BatchNorm] in
            if let bn = l as? BatchNorm { return [bn] }
            return (l as? InvertedResidual)?.batchNorms ?? []
        }
        net = Sequential(layers)
        maxWidth = WidthChoice(output: Array(repeating: maxOutput, count: groups), expand: Array(repeating: maxExpand, count: config.blocks.count))
        setWidth(maxWidth)
    }

    public var widthGroups: Int { maxWidth.output.count }
    public var parameters: [Parameter] { net.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { net.buffers }

    public func setWidth(_ w: WidthChoice) {
        precondition(w.output.count == widthGroups && w.expand.count == blocks.count,
                     "TinyCNN takes \(widthGroups) output factors and \(blocks.count) expand factors")
        var c = scaled(config.stem, w.output[0])
        stem.activeOut = c
        for (j, block) in blocks.enumerated() {
            let mid = block.baseExpand == 1 ? c : scaled(c * block.baseExpand, w.expand[j])
            let out = blockGroup[j].map { scaled(config.blocks[j].out, w.output[$0]) } ?? c
            block.setActive(inWidth: c, mid: mid, out: out)
            c = block.hasShortcut ? c : out
        }
        head.activeOut = scaled(config.head, w.output[widthGroups - 1])
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor { net.forward(x, training: training) }
    public func backward(_ dy: Tensor) -> Tensor { net.backward(dy) }
    public func backwardParameters(_ dy: Tensor) { net.backwardParameters(dy) }

    public func summary() -> String {
        var s = "\(name): \(parameterCount) parameters (allocated at width \(maxWidth))\n"
        for p in parameters where p.shape.count > 1 { s += "  \(p.name) \(p.shape)\n" }
        return s
    }
}
