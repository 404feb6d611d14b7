/// A ViT's shape: what its layers' sizes follow from (no weights).
public struct TransformerShape: Sendable, Hashable {
    /// How a square image becomes tokens: `patch`² patches of `channels` channels.
    public struct PatchEmbedding: Sendable, Hashable {
        public var image: Int, patch: Int, channels: Int
        public init(image: Int, patch: Int, channels: Int) { self.image = image; self.patch = patch; self.channels = channels }
        public var patches: Int { (image / patch) * (image / patch) }
    }
    /// The attention products listed per head.
    public enum Attention: String, Sendable, Hashable, CaseIterable {
        /// QKᵀ (n×d·d×n) then A·V (n×n·n×d).
        case softmax
        /// ViTALiTy's linear Taylor attention: K̂ᵀV (d×n·n×d) then Q·(K̂ᵀV) (n×d·d×d);
        /// the column sums, the denominator and the division carry no GEMM.
        case taylor
    }

    public var name: String
    /// Tokens n (patches + the class token when built from a patch embedding).
    public var tokens: Int
    public var width: Int, heads: Int, depth: Int, mlpRatio: Int
    public var patchEmbedding: PatchEmbedding?
    /// Classes of the linear head on the class token (nil: no head).
    public var classes: Int?

    public init(name: String, tokens: Int, width: Int, heads: Int, depth: Int, mlpRatio: Int = 4,
                patchEmbedding: PatchEmbedding? = nil, classes: Int? = nil) {
        self.name = name; self.tokens = tokens; self.width = width; self.heads = heads; self.depth = depth
        self.mlpRatio = mlpRatio; self.patchEmbedding = patchEmbedding; self.classes = classes
    }

    /// From the image: n = (image / patch)² + 1 (the class token).
    public init(name: String, image: Int, patch: Int, channels: Int, width: Int, heads: Int, depth: Int,
                mlpRatio: Int = 4, classes: Int? = nil) {
        let p = PatchEmbedding(image: image, patch: patch, channels: channels)
        self.init(name: name, tokens: p.patches + 1, width: width, heads: heads, depth: depth, mlpRatio: mlpRatio,
                  patchEmbedding: p, classes: classes)
    }

    public var headDim: Int { width / heads }

    /// The GEMMs of one image: the patch embedding (a `patch`×`patch` convolution of stride
    /// `patch`, as a GEMM over the patches), then per block QKV (n×C·C×3C), the two attention
    /// products of every head, the output projection (n×C·C×C) and the MLP (n×C·C×rC,
    /// n×rC·rC×C), then the classifier on the class token (1×C·C×classes). Names:
    /// patch_embed, blocks.<l>.qkv, blocks.<l>.h<h>.qk / .av (Taylor: .kv / .qg), blocks.<l>.proj,
    /// blocks.<l>.fc1, blocks.<l>.fc2, classifier.
    public func layerShapes(attention: Attention = .softmax) -> LayerShapes {
        var layers: [LayerShape] = []
        let n = tokens, C = width, d = headDim
        func mm(_ name: String, _ m: Int, _ k: Int, _ nn: Int) { layers.append(.matmul(MatmulShape(name: name, m: m, k: k, n: nn))) }
        if let p = patchEmbedding {
            layers.append(.conv(ConvShape(name: "patch_embed", inputHeight: p.image, inputWidth: p.image, inChannels: p.channels,
                                          outChannels: C, kernel: p.patch, stride: p.patch)))
        }
        for l in 0..<depth {
            mm("blocks.\(l).qkv", n, C, 3 * C)
            for h in 0..<heads {
                switch attention {
                case .softmax:
                    mm("blocks.\(l).h\(h).qk", n, d, n)
                    mm("blocks.\(l).h\(h).av", n, n, d)
                case .taylor:
                    mm("blocks.\(l).h\(h).kv", d, n, d)
                    mm("blocks.\(l).h\(h).qg", n, d, d)
                }
            }
            mm("blocks.\(l).proj", n, C, C)
            mm("blocks.\(l).fc1", n, C, mlpRatio * C)
            mm("blocks.\(l).fc2", n, mlpRatio * C, C)
        }
        if let classes { mm("classifier", 1, C, classes) }
        return LayerShapes(name: name, layers: layers)
    }
}
