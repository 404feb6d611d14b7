/// A MobileNetV2-style CNN in the form of the MobileNetV2 paper's table (Sandler et al. 2018,
/// Table 2): a stem conv (channels, stride), rows of inverted-residual blocks
/// (expand t, channels c, repeats n, stride s, depthwise kernel k), a 1×1 head conv, and an
/// optional input resolution (nil = the data's images).
///
/// A row expands to n blocks; only the first has stride s, the others stride 1. A block has
/// an identity shortcut when its stride is 1 and its input and output channels match
/// (`TinyCNN` decides). Written as text by `--cnn` (see `CNNSpec.parse`) and as a Codable
/// struct inside run configs.
public struct CNNSpec: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var expand: Int
        public var channels: Int
        public var repeats: Int
        public var stride: Int
        /// Depthwise kernel size (odd); nil = 3.
        public var kernel: Int?
        public init(expand: Int, channels: Int, repeats: Int, stride: Int, kernel: Int? = nil) {
            self.expand = expand; self.channels = channels; self.repeats = repeats; self.stride = stride
            self.kernel = kernel == 3 ? nil : kernel
        }
        public var kernelSize: Int { kernel ?? 3 }
    }
    public struct Resolution: Codable, Sendable, Equatable {
        public var height: Int, width: Int
        public init(height: Int, width: Int) { self.height = height; self.width = width }
    }

    public var stem: Int
    public var stemStride: Int
    public var rows: [Row]
    public var head: Int
    public var resolution: Resolution?

    public init(stem: Int, stemStride: Int, rows: [Row], head: Int, resolution: Resolution? = nil) {
        self.stem = stem; self.stemStride = stemStride; self.rows = rows; self.head = head; self.resolution = resolution
    }

    // MARK: - bounds

    public static let maxChannels = 4096
    public static let maxHead = 8192
    public static let maxExpand = 16
    public static let maxRepeats = 32
    public static let maxStride = 4
    public static let maxKernel = 11
    public static let maxBlocks = 128
    public static let maxSide = 4096
    /// Parameters a spec may allocate at width 1 (weights, gradients and optimiser state take 16 bytes each).
    public static let maxParameters = 1_000_000_000

    /// The blocks after expanding the rows (first of a row's repeats at its stride, the rest at 1).
    public var blocks: [TinyCNNConfig.Block] {
        rows.flatMap { r in
            (0..<r.repeats).map { i in TinyCNNConfig.Block(out: r.channels, expand: r.expand, stride: i == 0 ? r.stride : 1, kernel: r.kernel) }
        }
    }

    /// Checks every field's range; the message names the field and what is allowed.
    public func validate() throws {
        func bad(_ field: String, _ allowed: String, _ got: Any) -> ModelSpecError { ModelSpecError("cnn: \(field): must be \(allowed), got \(got)") }
        if !(1...Self.maxChannels).contains(stem) { throw bad("stem channels", "in 1…\(Self.maxChannels)", stem) }
        if !(1...Self.maxStride).contains(stemStride) { throw bad("stem stride", "in 1…\(Self.maxStride)", stemStride) }
        if rows.isEmpty { throw ModelSpecError("cnn: rows: at least one row t,c,n,s[,k] is needed") }
        for (i, r) in rows.enumerated() {
            let at = "row \(i + 1): "
            if !(1...Self.maxExpand).contains(r.expand) { throw bad(at + "expand t", "in 1…\(Self.maxExpand)", r.expand) }
            if !(1...Self.maxChannels).contains(r.channels) { throw bad(at + "channels c", "in 1…\(Self.maxChannels)", r.channels) }
            if !(1...Self.maxRepeats).contains(r.repeats) { throw bad(at + "repeats n", "in 1…\(Self.maxRepeats)", r.repeats) }
            if !(1...Self.maxStride).contains(r.stride) { throw bad(at + "stride s", "in 1…\(Self.maxStride)", r.stride) }
            let k = r.kernelSize
            if !(1...Self.maxKernel).contains(k) || k % 2 == 0 { throw bad(at + "kernel k", "odd in 1…\(Self.maxKernel)", k) }
        }
        let n = rows.reduce(0) { $0 + $1.repeats }
        if n > Self.maxBlocks { throw bad("rows", "at most \(Self.maxBlocks) blocks in all (sum of n)", n) }
        if !(1...Self.maxHead).contains(head) { throw bad("head channels", "in 1…\(Self.maxHead)", head) }
        if let r = resolution, !(1...Self.maxSide).contains(r.height) || !(1...Self.maxSide).contains(r.width) {
            throw bad("resolution", "H×W with sides in 1…\(Self.maxSide)", "\(r.height)×\(r.width)")
        }
        let p = parameterEstimate(inputChannels: 3, classes: 1000)
        if p > Double(Self.maxParameters) {
            throw ModelSpecError("cnn: \(Int(p)) parameters (at 3 input channels, 1000 classes): must be at most \(Self.maxParameters); use fewer or narrower rows")
        }
    }

    /// Parameters of the expanded network (floating point, so no bound overflows).
    public func parameterEstimate(inputChannels: Int, classes: Int) -> Double {
        var p = Double(inputChannels * stem * 9 + 2 * stem)
        var c = Double(stem)
        for b in blocks {
            let mid = c * Double(b.expand), k = Double(b.kernelSize * b.kernelSize)
            if b.expand != 1 { p += c * mid + 2 * mid }
            p += mid * k + 2 * mid + mid * Double(b.out) + 2 * Double(b.out)
            c = Double(b.out)
        }
        return p + c * Double(head) + 2 * Double(head) + Double(head) * Double(classes) + Double(classes)
    }

    /// The network for images of `height`×`width`×`channels` and `classes` classes. Refuses a
    /// spec whose resolution differs from the images (Retort does not resize).
    public func config(height: Int, width: Int, channels: Int, classes: Int) throws -> TinyCNNConfig {
        try validate()
        if let r = resolution, r.height != height || r.width != width {
            throw ModelSpecError("cnn: resolution \(r.height)×\(r.width) differs from the data's \(height)×\(width) images (Retort does not resize; drop res= to use the data's)")
        }
        return TinyCNNConfig(inputSide: height, inputColumns: width, inputChannels: channels, classes: classes,
                             stem: stem, stemStride: stemStride, blocks: blocks, head: head)
    }
}

extension CNNSpec {
    /// Every field set (config files read their keys off it).
    public static let template = CNNSpec(stem: 16, stemStride: 2, rows: [Row(expand: 1, channels: 16, repeats: 1, stride: 1, kernel: 5)],
                                         head: 96, resolution: Resolution(height: 28, width: 28))
}
