import Foundation
import RetortCore
import RetortData

/// Sanger-style attention masks of a model on real activations: Q and K of every layer and
/// head fake-quantised to `bits` bits (symmetric, scale (2^(bits−1) − 1)/max|x| over the
/// head's Q or K, as hatsu3/Sanger `quant_utils.py` does per tensor), predicted scores
/// Q̃K̃ᵀ/√d, softmax, then kept = probability > `threshold`.
public struct PredictedMasks: Sendable {
    public let tokens: Int
    public let heads: Int
    /// masks[image][layer][head]: row-major n×n kept flags.
    public let masks: [[[[Bool]]]]

    /// Runs `model` in evaluation mode on the first `images` rows of `set`.
    public static func measure(_ model: VisionTransformer, on set: ImageData, images: Int, threshold: Float,
                               bits: Int = 4) -> PredictedMasks {
        let count = max(1, min(images, set.count))
        let (x, _) = set.batch(Array(0..<count)[...], sampleShape: model.inputShape)
        _ = model.forward(x, training: false)
        let qkvs = model.cores.map { $0.lastInput! }
        let heads = model.cores[0].heads, n = qkvs[0].dim(1), width = qkvs[0].lastDim / 3, d = width / heads
        let out = Tensor(shape: [count, n, width])
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n), q = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n * d)
        defer { a.deallocate(); q.deallocate() }
        let levels = Float((1 << (bits - 1)) - 1)
        var all: [[[[Bool]]]] = Array(repeating: [], count: count)
        for (l, qkv) in qkvs.enumerated() {
            for p in 0..<(count * heads) {
                let io = HeadIO(qkv: qkv.data, out: out.data, pair: p, heads: heads, tokens: n, headDim: d)
                for (t, src) in [io.q, io.k].enumerated() {
                    var mx: Float = 0
                    for i in 0..<n { for c in 0..<d { mx = max(mx, abs(src[i * io.ld + c])) } }
                    let s = mx > 0 ? levels / mx : 1
                    for i in 0..<n { for c in 0..<d {
                        q[t * n * d + i * d + c] = min(levels, max(-levels, (src[i * io.ld + c] * s).rounded())) / s
                    } }
                }
                mm(false, true, m: n, n: n, k: d, alpha: io.invSqrtD, q, d, q + n * d, d, a, n)
                var mask = [Bool](repeating: false, count: n * n)
                for i in 0..<n {
                    let row = a + i * n
                    var m = -Float.infinity
                    for j in 0..<n { m = max(m, row[j]) }
                    var sum: Float = 0
                    for j in 0..<n { row[j] = expf(row[j] - m); sum += row[j] }
                    for j in 0..<n where row[j] > threshold * sum { mask[i * n + j] = true }
                }
                let image = p / heads
                if all[image].count == l { all[image].append([]) }
                all[image][l].append(mask)
            }
        }
        return PredictedMasks(tokens: n, heads: heads, masks: all)
    }
}
