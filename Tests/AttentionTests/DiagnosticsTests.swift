import XCTest
import RetortCore
import RetortData
import Attention

final class DiagnosticsTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    func testHistogramCountsAndShares() {
        var h = LogitHistogram(lower: -4, upper: 4, bins: 32)
        for v in [-5.0, -1.0, -0.5, 0, 0.99, 1.0, 3.99, 4.0, 7] { h.add(v) }
        XCTAssertEqual(h.total, 9)
        XCTAssertEqual(h.below, 1); XCTAssertEqual(h.above, 2)
        XCTAssertEqual(h.counts[12], 1)                   // [−1, −0.75)
        XCTAssertEqual(h.shareOutside(-1, 1), 5.0 / 9.0, accuracy: 1e-12)   // −5, 1, 3.99, 4, 7
    }

    /// The measured quantities against direct computations on synthetic Q, K, V.
    func testLayerDiagnosticsMatchDirectComputation() {
        let (b, n, h, d) = (2, 12, 2, 8)
        let qkv = randomTensor([b, n, 3 * h * d], seed: 3, std: 1.5)
        let diag = AttentionDiagnostics.measure(qkv: qkv, heads: h)
        XCTAssertEqual(diag.count, b * h * n * n)
        XCTAssertEqual(diag.centredLogits.total, diag.count)
        var outside = 0, negative = 0
        var num = 0.0, den = 0.0
        var headNum = [Double](repeating: 0, count: h), headDen = headNum
        for (p, m) in Reference.heads(qkv, heads: h).enumerated() {
            let x = Reference.centredLogits(q: m.q, k: m.k)
            for row in x {
                let t = row.reduce(0) { $0 + 1 + $1 }
                for v in row { if v < -1 || v >= 1 { outside += 1 }; if (1 + v) / t < 0 { negative += 1 } }
            }
            let zs = Reference.softmaxAttention(q: m.q, k: m.k, v: m.v), zt = Reference.taylorQuadratic(q: m.q, k: m.k, v: m.v)
            for i in 0..<n {
                for c in 0..<d {
                    num += pow(zt[i][c] - zs[i][c], 2); den += pow(zs[i][c], 2)
                    headNum[p % h] += pow(zt[i][c] - zs[i][c], 2); headDen[p % h] += pow(zs[i][c], 2)
                }
            }
        }
        XCTAssertEqual(diag.centredShareOutside, Double(outside) / Double(diag.count), accuracy: 1e-12)
        XCTAssertEqual(diag.negativeWeightShare, Double(negative) / Double(diag.count), accuracy: 1e-12)
        XCTAssertGreaterThan(negative, 0, "std-1.5 inputs must give some negative Taylor weights")
        XCTAssertEqual(diag.relativeError, (num / den).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(diag.headRelativeErrors.count, h)
        for i in 0..<h { XCTAssertEqual(diag.headRelativeErrors[i], (headNum[i] / headDen[i]).squareRoot(), accuracy: 1e-4) }
        XCTAssertNotEqual(diag.headRelativeErrors[0], diag.headRelativeErrors[1], "heads see different inputs")
    }

    func testSmallLogitsAreInsideTheUnitIntervalAndAccurate() {
        let qkv = randomTensor([2, 16, 3 * 2 * 8], seed: 4, std: 0.2)
        let diag = AttentionDiagnostics.measure(qkv: qkv, heads: 2)
        XCTAssertEqual(diag.centredShareOutside, 0)
        XCTAssertEqual(diag.negativeWeightShare, 0)
        XCTAssertLessThan(diag.relativeError, 0.01)
    }

    func testModelDiagnosticsCoverEveryLayer() {
        let cfg = ViTConfig(name: "t", imageSize: 8, patchSize: 2, width: 16, heads: 2, depth: 3, mlpRatio: 2)
        let model = VisionTransformer(cfg, kind: .taylor, seed: 1)
        var rng = RNG(seed: 2)
        var features = [Float](repeating: 0, count: 20 * 64)
        for i in features.indices { features[i] = rng.normal() }
        let set = ImageData(pixels: .float32(features), rows: Array(0..<20), labels: Array(repeating: 0, count: 20),
                            shape: ImageShape(height: 8, width: 8, channels: 1), classCount: 10,
                            normalizer: ChannelNormalizer(low: 0, high: 1, mean: [0], std: [1]))
        let d = AttentionDiagnostics.measure(model, on: set, images: 7)
        XCTAssertEqual(d.images, 7)
        XCTAssertEqual(d.kind, .taylor)
        XCTAssertEqual(d.layers.map(\.layer), [0, 1, 2])
        for l in d.layers {
            XCTAssertEqual(l.count, 7 * 2 * 17 * 17)
            XCTAssertTrue(l.relativeError.isFinite && l.relativeError >= 0)
            XCTAssertEqual(l.rawLogits.total, l.count)
        }
    }

    func testSeedSummary() {
        let s = SeedSummary([0.97, 0.98, 0.99])
        XCTAssertEqual(s.mean, 0.98, accuracy: 1e-12)
        XCTAssertEqual(s.std, 0.01, accuracy: 1e-12)
        XCTAssertEqual(SeedSummary([0.5]).std, 0)
    }
}
