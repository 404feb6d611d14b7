import RetortCore

/// A ViT classifier with explicit forward/backward (DeiT architecture, vitality §3):
///
///     tokens = [cls; PatchEmbed(x)] + pos            [B, n, D]
///     tokens = Block_L(…Block_1(tokens))              pre-norm blocks
///     logits = head(LayerNorm(tokens[:, 0]))          classifier on the CLS token
///
/// Parameter names follow timm (`cls_token`, `pos_embed`, `blocks.0.attn.qkv.weight`, …), so
/// PyTorch weights map one to one (the patch projection is the conv weight permuted to
/// [D, p, p, C]). Initialisation follows DeiT: truncated N(0, 0.02²) for CLS, positions and
/// linear weights, zero biases, LayerNorm 1/0 with ε = 1e-6.
public final class VisionTransformer: Layer {
    public let config: ViTConfig
    public let patchEmbed: PatchEmbedding
    public let clsToken: Parameter
    public let posEmbed: Parameter
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm
    public let head: Linear
    private var batch = 0

    public init(_ config: ViTConfig, kind: AttentionKind, sparse: SparseConfig = SparseConfig(), seed: UInt64) {
        precondition((try? config.validate()) != nil, "VisionTransformer: invalid configuration \(config)")
        self.config = config
        var rng = RNG(seed: seed)
        let c = config.width
        patchEmbed = PatchEmbedding(patchSize: config.patchSize, channels: config.channels, width: c, rng: &rng)
        let cls = Tensor(shape: [c]), pos = Tensor(shape: [config.tokens, c])
        truncatedNormal(pos, std: 0.02, rng: &rng)
        truncatedNormal(cls, std: 0.02, rng: &rng)
        clsToken = Parameter("cls_token", cls, decays: false)
        posEmbed = Parameter("pos_embed", pos, decays: false)
        blocks = (0..<config.depth).map { i in
            TransformerBlock(width: c, heads: config.heads, mlpRatio: config.mlpRatio, kind: kind, sparse: sparse,
                             name: "blocks.\(i)", rng: &rng)
        }
        norm = LayerNorm(c, eps: 1e-6, name: "norm")
        head = deitLinear(c, config.classes, name: "head", rng: &rng)
    }

    public var cores: [AttentionCore] { blocks.map(\.attn.core) }

    /// The attention every block runs (switchable at any time, e.g. to evaluate a
    /// softmax-trained model with Taylor attention).
    public var kind: AttentionKind {
        get { cores[0].kind }
        set { for c in cores { c.kind = newValue } }
    }

    public var parameters: [Parameter] {
        [clsToken, posEmbed] + patchEmbed.parameters + blocks.flatMap(\.parameters) + norm.parameters + head.parameters
    }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public func parameter(named name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Input shape per image, [H, W, C].
    public var inputShape: [Int] { [config.imageSize, config.imageSize, config.channels] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let b = x.dim(0), n = config.tokens, c = config.width
        batch = b
        let pe = patchEmbed.forward(x, training: training)           // [B, P, D]
        var t = Tensor(uninitializedShape: [b, n, c])
        let pos = posEmbed.value.data, cls = clsToken.value.data
        for i in 0..<b {
            let dst = t.data + i * n * c
            for j in 0..<c { dst[j] = cls[j] + pos[j] }
            Elementwise.add((n - 1) * c, pe.data + i * (n - 1) * c, pos + c, into: dst + c)
        }
        for blk in blocks { t = blk.forward(t, training: training) }
        let clsRows = Tensor(uninitializedShape: [b, c])
        for i in 0..<b { (clsRows.data + i * c).update(from: t.data + i * n * c, count: c) }
        return head.forward(norm.forward(clsRows, training: training), training: training)
    }

    public func backward(_ dy: Tensor) -> Tensor { patchEmbed.backward(backwardToPatches(dy)) }

    /// Every parameter's gradient without the image's (what training needs).
    public func backwardParameters(_ dy: Tensor) { patchEmbed.backwardParameters(backwardToPatches(dy)) }

    /// Back through the head, the blocks and the embeddings; returns the patch embedding's dy.
    private func backwardToPatches(_ dy: Tensor) -> Tensor {
        let b = batch, n = config.tokens, c = config.width
        let dcls = norm.backward(head.backward(dy))                  // [B, D]
        var dt = Tensor(shape: [b, n, c])
        for i in 0..<b { (dt.data + i * n * c).update(from: dcls.data + i * c, count: c) }
        for blk in blocks.reversed() { dt = blk.backward(dt) }
        return backwardEmbeddings(dt)
    }

    /// From the token gradient [B, n, D]: accumulates the position and class-token gradients and
    /// returns the patch embedding's dy [B, n − 1, D].
    public func backwardEmbeddings(_ dt: Tensor) -> Tensor {
        let b = dt.dim(0), n = config.tokens, c = config.width
        let dpos = posEmbed.grad.data, dclsTok = clsToken.grad.data
        let dpe = Tensor(uninitializedShape: [b, n - 1, c])
        for i in 0..<b {
            let src = dt.data + i * n * c
            Elementwise.add(n * c, dpos, src, into: dpos)
            Elementwise.add(c, dclsTok, src, into: dclsTok)
            (dpe.data + i * (n - 1) * c).update(from: src + c, count: (n - 1) * c)
        }
        return dpe
    }
}
