import RetortCore

/// timm/DeiT initialisation: N(0, std²) truncated to [a, b] = [−2, 2] (absolute bounds, as
/// `trunc_normal_`), by redrawing.
func truncatedNormal(_ t: Tensor, std: Float, rng: inout RNG) {
    for i in 0..<t.count {
        var v = rng.normal() * std
        while v < -2 || v > 2 { v = rng.normal() * std }
        t[i] = v
    }
}

/// A Linear with DeiT's initialisation (weights N(0, 0.02²) truncated, bias 0).
func deitLinear(_ inF: Int, _ outF: Int, name: String, rng: inout RNG) -> Linear {
    let l = Linear(inF, outF, name: name, rng: &rng)
    truncatedNormal(l.weight.value, std: 0.02, rng: &rng)
    l.bias?.value.zero()
    return l
}

/// Patch embedding as a Linear on flattened patches: [B, H, W, C] → [B, P, D].
/// Patch p = py·grid + px holds pixels (dy, dx, c) in that order, so the weight is PyTorch's
/// `Conv2d(C, D, p, stride=p)` weight permuted to [D, p, p, C]. The projection keeps
/// PyTorch's default initialisation (as DeiT leaves the patch conv at its default).
public final class PatchEmbedding: Layer {
    public let patchSize: Int
    public let proj: Linear
    private var inputShape: [Int] = []

    public init(patchSize: Int, channels: Int, width: Int, rng: inout RNG) {
        self.patchSize = patchSize
        proj = Linear(patchSize * patchSize * channels, width, name: "patch_embed.proj", rng: &rng)
    }

    public var parameters: [Parameter] { proj.parameters }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 4, "PatchEmbedding: input must be [B, H, W, C], got \(x.shape)")
        let b = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3), p = patchSize
        precondition(h % p == 0 && w % p == 0, "PatchEmbedding: patch \(p) does not divide \(h)×\(w)")
        inputShape = x.shape
        let patches = Tensor(uninitializedShape: [b, (h / p) * (w / p), p * p * c])
        Self.rearrange(x.data, patches.data, b: b, h: h, w: w, c: c, p: p, toPatches: true)
        return proj.forward(patches, training: training)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dp = proj.backward(dy)
        let dx = Tensor(uninitializedShape: inputShape)
        Self.rearrange(dx.data, dp.data, b: inputShape[0], h: inputShape[1], w: inputShape[2], c: inputShape[3],
                       p: patchSize, toPatches: false)
        return dx
    }

    /// The projection's gradients only (the image's gradient is not needed).
    public func backwardParameters(_ dy: Tensor) { proj.backwardParameters(dy) }

    /// Copies image rows into patch rows (or back). Patches tile the image exactly, so the
    /// map is a permutation and the backward is the inverse copy.
    private static func rearrange(_ img: UnsafeMutablePointer<Float>, _ pat: UnsafeMutablePointer<Float>,
                                  b: Int, h: Int, w: Int, c: Int, p: Int, toPatches: Bool) {
        let gh = h / p, gw = w / p, f = p * p * c
        for n in 0..<b {
            for py in 0..<gh {
                for px in 0..<gw {
                    let dst = pat + (n * gh * gw + py * gw + px) * f
                    for dy in 0..<p {
                        let src = img + ((n * h + py * p + dy) * w + px * p) * c
                        let row = dst + dy * p * c
                        if toPatches { row.update(from: src, count: p * c) } else { src.update(from: row, count: p * c) }
                    }
                }
            }
        }
    }
}

/// qkv projection → attention of the chosen kind → output projection.
public final class MultiHeadAttention: Layer {
    public let qkv: Linear
    public let core: AttentionCore
    public let proj: Linear

    public init(width: Int, heads: Int, kind: AttentionKind, sparse: SparseConfig, name: String, rng: inout RNG) {
        qkv = Linear(width, 3 * width, name: "\(name).qkv", rng: &rng)
        // Xavier-uniform as PyTorch's nn.MultiheadAttention initialises its in-projection
        // (U(±√(6/(D + 3D)))), bias 0: larger than DeiT's N(0, 0.02²), so attention is not
        // uniform at step 0; on 4k MNIST images it learns markedly faster (docs/attention.md).
        let bound = (6 / Float(4 * width)).squareRoot()
        qkv.weight.value.fillUniform(-bound, bound, rng: &rng)
        qkv.bias?.value.zero()
        core = AttentionCore(kind: kind, heads: heads, sparse: sparse)
        proj = deitLinear(width, width, name: "\(name).proj", rng: &rng)
    }

    public var parameters: [Parameter] { qkv.parameters + proj.parameters }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        proj.forward(core.forward(qkv.forward(x, training: training), training: training), training: training)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        qkv.backward(core.backward(proj.backward(dy)))
    }
}

/// Pre-norm transformer block: x + Attn(LN₁(x)), then + MLP(LN₂(·)) with MLP = fc2(GELU(fc1)).
public final class TransformerBlock: Layer {
    public let norm1: LayerNorm
    public let attn: MultiHeadAttention
    public let norm2: LayerNorm
    public let fc1: Linear
    public let gelu = GELU()
    public let fc2: Linear

    public init(width: Int, heads: Int, mlpRatio: Int, kind: AttentionKind, sparse: SparseConfig, name: String, rng: inout RNG) {
        norm1 = LayerNorm(width, eps: 1e-6, name: "\(name).norm1")
        attn = MultiHeadAttention(width: width, heads: heads, kind: kind, sparse: sparse, name: "\(name).attn", rng: &rng)
        norm2 = LayerNorm(width, eps: 1e-6, name: "\(name).norm2")
        fc1 = deitLinear(width, mlpRatio * width, name: "\(name).mlp.fc1", rng: &rng)
        fc2 = deitLinear(mlpRatio * width, width, name: "\(name).mlp.fc2", rng: &rng)
    }

    public var parameters: [Parameter] {
        norm1.parameters + attn.parameters + norm2.parameters + fc1.parameters + fc2.parameters
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let a = attn.forward(norm1.forward(x, training: training), training: training)
        let x1 = Elementwise.add(x, a)
        let m = fc2.forward(gelu.forward(fc1.forward(norm2.forward(x1, training: training), training: training), training: training), training: training)
        Elementwise.add(m, into: x1)
        return x1
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dx1 = norm2.backward(fc1.backward(gelu.backward(fc2.backward(dy))))
        Elementwise.add(dy, into: dx1)
        let dx = norm1.backward(attn.backward(dx1))
        Elementwise.add(dx1, into: dx)
        return dx
    }
}
