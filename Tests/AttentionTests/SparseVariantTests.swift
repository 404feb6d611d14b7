import Foundation
import XCTest
import RetortCore
import Attention

/// The sparse regulariser's variants (issue: the paper's claims, put to the test): the
/// released code's 1/√d on the sparse term and its shared quantiser, and thresholds set as a
/// kept fraction or scaled by token count. Gradients by finite differences (quantisation off,
/// as in AttentionGradientTests, for the same reason).
final class SparseVariantTests: XCTestCase {
    override func setUp() { Threads.set(1) }

    let (b, n, h, d) = (2, 6, 2, 4)

    func core(_ sparse: SparseConfig) -> AttentionCore { AttentionCore(kind: .taylorSparse, heads: h, sparse: sparse) }

    func testInvSqrtDScaleGradients() {
        let x = randomTensor([b, n, 3 * h * d], seed: 3, std: 2)
        // the threshold AttentionGradientTests finds for this input lies in a wide gap; 0.05 is inside it too
        let c = core(SparseConfig(threshold: 0.05, bits: 0, scaleByInvSqrtD: true, sharedQuantizer: true))
        GradCheck.assert(c, input: x, eps: 1e-2, tolerance: 1e-2)
        let density = c.lastMaskDensity ?? -1
        XCTAssertTrue(density > 0.05 && density < 0.95, "the mask must be partial, kept \(density)")
    }

    func testInvSqrtDScalesOnlyTheSparseTerm() {
        let x = randomTensor([b, n, 3 * h * d], seed: 5, std: 2)
        let taylor = AttentionCore(kind: .taylor, heads: h).forward(x, training: true)
        let one = core(SparseConfig(threshold: 0.01, bits: 0)).forward(x, training: true)
        let scaled = core(SparseConfig(threshold: 0.01, bits: 0, scaleByInvSqrtD: true)).forward(x, training: true)
        let s = 1 / Float(d).squareRoot()
        var worst: Float = 0
        for i in 0..<taylor.count {
            let sparseTerm = one.data[i] - taylor.data[i]
            worst = max(worst, abs(scaled.data[i] - (taylor.data[i] + s * sparseTerm)))
        }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testKeptFractionKeepsThatFractionOfEveryMapAndHasRightGradients() {
        let x = randomTensor([b, n, 3 * h * d], seed: 11, std: 2)
        for f: Float in [0.25, 0.5, 1] {
            let c = core(SparseConfig(bits: 0, thresholdMode: .keptFraction, keptFraction: f))
            _ = c.forward(x, training: true)
            let k = (Double(f) * Double(n * n)).rounded(.up)
            XCTAssertEqual(c.lastMaskDensity ?? -1, k / Double(n * n), accuracy: 1e-12, "fraction \(f)")
        }
        let c = core(SparseConfig(bits: 0, thresholdMode: .keptFraction, keptFraction: 0.25))
        GradCheck.assert(c, input: x, eps: 1e-2, tolerance: 1e-2)
    }

    func testTokenScaledThresholdIsTheAbsoluteOneAtNRefOverN() {
        let s = SparseConfig(threshold: 0.002, thresholdMode: .tokenScaled, referenceTokens: 197)
        XCTAssertEqual(s.threshold(tokens: 50), 0.002 * 197 / 50, accuracy: 1e-9)
        XCTAssertEqual(s.threshold(tokens: 197), 0.002, accuracy: 1e-9)
        XCTAssertEqual(SparseConfig(threshold: 0.002).threshold(tokens: 50), 0.002)
        let x = randomTensor([b, n, 3 * h * d], seed: 12, std: 2)
        let scaled = core(SparseConfig(threshold: 0.01, bits: 0, thresholdMode: .tokenScaled, referenceTokens: 30))
        let absolute = core(SparseConfig(threshold: 0.05, bits: 0))
        let a = scaled.forward(x, training: true), e = absolute.forward(x, training: true)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: a.data, count: a.count)), Array(UnsafeBufferPointer(start: e.data, count: e.count)))
        XCTAssertEqual(scaled.lastMaskDensity, absolute.lastMaskDensity)
    }

    func testSharedQuantizerTakesBothRangesIntoOneRunningRange() {
        let x = randomTensor([b, n, 3 * h * d], seed: 13, std: 2)
        let width = h * d
        func range(_ offset: Int) -> Float {
            var lo = Float.infinity, hi = -Float.infinity
            for r in 0..<(b * n) { for c in 0..<width { let v = x.data[r * 3 * width + offset + c]; lo = min(lo, v); hi = max(hi, v) } }
            return hi - lo
        }
        let shared = core(SparseConfig(bits: 4, sharedQuantizer: true))
        _ = shared.forward(x, training: true)
        XCTAssertEqual(shared.quantQ.runningRange, 0.9 * (0.1 * range(0)) + 0.1 * range(width), accuracy: 1e-5)
        XCTAssertEqual(shared.quantK.runningRange, 0)
        let separate = core(SparseConfig(bits: 4))
        _ = separate.forward(x, training: true)
        XCTAssertEqual(separate.quantQ.runningRange, 0.1 * range(0), accuracy: 1e-5)
        XCTAssertEqual(separate.quantK.runningRange, 0.1 * range(width), accuracy: 1e-5)
    }

    func testConfigsWrittenBeforeTheVariantsReadAsThePapersForm() throws {
        let old = #"{"threshold": 0.004, "bits": 4, "momentum": 0.9, "weight": 1}"#
        let s = try JSONDecoder().decode(SparseConfig.self, from: Data(old.utf8))
        XCTAssertEqual(s, SparseConfig(threshold: 0.004))
        let round = try JSONDecoder().decode(SparseConfig.self, from: JSONEncoder().encode(SparseConfig.releasedCode))
        XCTAssertEqual(round, SparseConfig.releasedCode)
    }
}
