import XCTest
import RetortCore
import Attention

/// Operation counts: the kernels' own counters against the closed forms of vitality §1.5,
/// the paper's DeiT numbers, and the Taylor kernel's O(n·d + d²) memory.
final class OpCountTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    func counted(_ kind: AttentionKind, b: Int, n: Int, h: Int, d: Int, fused: Bool = false) -> (OpCount, KernelMemory) {
        let core = AttentionCore(kind: kind, heads: h)
        core.fusedSoftmax = fused; core.fusedSoftmaxMinTokens = 0
        core.countOps = true
        _ = core.forward(randomTensor([b, n, 3 * h * d], seed: UInt64(n * 31 + d)), training: false)
        return (core.lastOpCount, core.lastMemory)
    }

    func testKernelCountersEqualFormulas() {
        for (b, n, h, d) in [(1, 5, 1, 4), (2, 17, 3, 8), (3, 64, 2, 16), (1, 197, 3, 64)] {
            XCTAssertEqual(counted(.softmax, b: b, n: n, h: h, d: d).0, OpFormulas.softmax(tokens: n, headDim: d, heads: h, batch: b),
                           "softmax b \(b) n \(n) h \(h) d \(d)")
            XCTAssertEqual(counted(.taylor, b: b, n: n, h: h, d: d).0, OpFormulas.taylor(tokens: n, headDim: d, heads: h, batch: b),
                           "taylor b \(b) n \(n) h \(h) d \(d)")
            // Taylor-sparse infers with the low-rank path alone: same count as Taylor.
            XCTAssertEqual(counted(.taylorSparse, b: b, n: n, h: h, d: d).0, OpFormulas.taylor(tokens: n, headDim: d, heads: h, batch: b))
        }
    }

    func testCountersCountEachPass() {
        let core = AttentionCore(kind: .taylor, heads: 2)
        core.countOps = true
        let x = randomTensor([2, 9, 3 * 2 * 4], seed: 1)
        _ = core.forward(x, training: false)
        _ = core.forward(x, training: false)
        XCTAssertEqual(core.lastOpCount, OpFormulas.taylor(tokens: 9, headDim: 4, heads: 2, batch: 2), "counts are per pass, not cumulative")
        core.countOps = false
        _ = core.forward(x, training: false)
        XCTAssertEqual(core.lastOpCount, OpFormulas.taylor(tokens: 9, headDim: 4, heads: 2, batch: 2), "off: left unchanged")
    }

    /// vitality §1.5 for DeiT at 224² (n = 197, d = 64).
    func testPaperNumbersForDeiT() {
        let ti = ModelOpCounts(.deitTiny), s = ModelOpCounts(.deitSmall), b = ModelOpCounts(.deitBase)
        XCTAssertEqual(ti.softmax.macs, 14_902_656)      // 14.90 M
        XCTAssertEqual(ti.taylor.macs, 4_879_296)        // 4.88 M
        XCTAssertEqual(s.softmax.macs, 29_805_312)
        XCTAssertEqual(b.taylor.macs, 19_517_184)        // 19.52 M
        XCTAssertEqual(ti.softmax.exps, 116_427)
        XCTAssertEqual(ti.softmax.divisions, 116_427)
        XCTAssertEqual(ti.taylor.divisions, 38_016)
        XCTAssertEqual(s.softmax.exps, 232_854); XCTAssertEqual(s.taylor.divisions, 76_032)
        XCTAssertEqual(b.softmax.exps, 465_708); XCTAssertEqual(b.taylor.divisions, 152_064)
        XCTAssertEqual(ti.taylor.exps, 0)
        XCTAssertEqual(ti.linearMACs, 87_146_496)        // 87.1 M = 12·n·C²
        XCTAssertEqual(ti.macRatio, 3.05, accuracy: 0.01)        // 2n/(2d + 1) = 394/129
        XCTAssertEqual(ti.divisionRatio, 3.06, accuracy: 0.01)   // n²/(n·d + d) = 38,809/12,672
        XCTAssertEqual(ti.layerMACRatio, 1.11, accuracy: 0.005)
        XCTAssertEqual(s.layerMACRatio, 1.06, accuracy: 0.005)
        XCTAssertEqual(b.layerMACRatio, 1.03, accuracy: 0.005)
        // Attention-map versus G storage per head: 38,809 vs 4,096 words.
        XCTAssertEqual(ti.softmax.storageWords / 3, 38_809)
        XCTAssertEqual(ti.taylor.storageWords / 3, 4_096)
    }

    /// The linear path never needs n×n scratch: at n = 2048 an n×n buffer would be 4.2 M words.
    /// The per-head kernel (d = 12) takes O(n·d + d²), linear in n; the tiled kernel (d = 16, a
    /// multiple of 16) takes d² + O(d), the same at every n.
    func testTaylorKernelMemoryIsLinearInTokens() {
        let n = 2048
        for d in [12, 16] {
            let (_, mem) = counted(.taylor, b: 1, n: n, h: 2, d: d)
            XCTAssertEqual(mem.perHeadWords, OpFormulas.taylorWorkspace(tokens: n, headDim: d), "d \(d)")
            XCTAssertLessThanOrEqual(mem.perHeadWords, n * d + d * d + 3 * d + n, "d \(d)")
            XCTAssertLessThan(mem.perHeadWords * 50, n * n, "d \(d)")
            let (_, mem2) = counted(.taylor, b: 1, n: 2 * n, h: 2, d: d)
            XCTAssertEqual(Double(mem2.perHeadWords) / Double(mem.perHeadWords), d == 12 ? 2 : 1, accuracy: 0.01, "d \(d)")
        }
        XCTAssertEqual(counted(.taylor, b: 1, n: n, h: 2, d: 12).1.largestBuffer, n * 12, "the per-head kernel's largest buffer is K̂ (n×d)")
        // The fused softmax kernel never forms n×n either (FusedSoftmaxTests checks the reference kernel's n×n).
        let (_, soft) = counted(.softmax, b: 1, n: n, h: 2, d: 16, fused: true)
        XCTAssertEqual(soft.perHeadWords, OpFormulas.softmaxWorkspace(tokens: n, headDim: 16))
        XCTAssertLessThan(soft.perHeadWords * 25, n * n, "tile + Kᵀ copy: O(n·d), not n²")
    }

    func testModelOpCountsForTheTrainedViT() {
        let m = ModelOpCounts(.mnist)
        XCTAssertEqual(m.config.tokens, 50)
        XCTAssertEqual(m.softmax.macs, 2 * 4 * 50 * 50 * 16)
        XCTAssertEqual(m.taylor.macs, 4 * (2 * 50 * 16 * 16 + 50 * 16))
        XCTAssertEqual(ViTConfig.digits.tokens, 17)
    }
}
