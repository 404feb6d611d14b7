import Accelerator
import XCTest

/// Pack-and-split against hand-computed cases of `_eval_load_balance` (hatsu3/Sanger).
final class PackAndSplitTests: XCTestCase {
    /// Vectors with 0, 5, 16 and 33 kept entries.
    /// num_pes 16: segments 0+1+1+3 = 5, full 0+0+1+2 = 3, Σ kept/16 = (5+16+33)/16 = 3.375;
    /// skip 3.375/5, no-skip 3.375/(5+1 empty), as coded 3.375/(5+3 non-empty).
    func testSixteenPEsByHand() {
        let s = PackAndSplit.stats(vectorCounts: [0, 5, 16, 33], pes: 16, entries: 4 * 64)
        XCTAssertEqual(s.segments, 5)
        XCTAssertEqual(s.fullSegments, 3)
        XCTAssertEqual(s.utilisationSum, 3.375, accuracy: 1e-12)
        XCTAssertEqual(s.utilisation, 0.675, accuracy: 1e-12)
        XCTAssertEqual(s.utilisationNoSkip, 0.5625, accuracy: 1e-12)
        XCTAssertEqual(s.utilisationNoSkipAsCoded, 0.421875, accuracy: 1e-12)
        XCTAssertEqual(s.density, 54.0 / 256, accuracy: 1e-12)
    }

    /// num_pes 32: segments 0+1+1+2 = 4, Σ kept/32 = 54/32 = 1.6875; skip 1.6875/4,
    /// no-skip 1.6875/5, as coded 1.6875/7.
    func testThirtyTwoPEsByHand() {
        let s = PackAndSplit.stats(vectorCounts: [0, 5, 16, 33], pes: 32, entries: 4 * 64)
        XCTAssertEqual(s.segments, 4)
        XCTAssertEqual(s.fullSegments, 1)
        XCTAssertEqual(s.utilisation, 1.6875 / 4, accuracy: 1e-12)
        XCTAssertEqual(s.utilisationNoSkip, 1.6875 / 5, accuracy: 1e-12)
        XCTAssertEqual(s.utilisationNoSkipAsCoded, 1.6875 / 7, accuracy: 1e-12)
    }

    /// A full vector is one full segment per 16 PEs: utilisation 1.
    func testDenseVectorsUseEveryPE() {
        let s = PackAndSplit.stats(vectorCounts: [64, 64], pes: 16, entries: 128)
        XCTAssertEqual(s.segments, 8)
        XCTAssertEqual(s.utilisation, 1)
    }

    /// A mask of n = 70 with 64-column ports: row 0 keeps columns 0..<20 and 64..<70, the other
    /// rows nothing. Vectors [20, 6] and 138 empty ones (the last vector of each row is 6 wide).
    func testMaskRowsAreCutIntoPortVectors() {
        let m = AttentionMask(n: 70) { i, j in i == 0 && (j < 20 || j >= 64) }
        XCTAssertEqual(m.kept, 26)
        XCTAssertEqual(m.kept(row: 0, columns: 0..<64), 20)
        XCTAssertEqual(m.kept(row: 0, columns: 64..<70), 6)
        let s = PackAndSplit.stats(m, ports: 64, pes: 16)
        XCTAssertEqual(s.segments, 3)
        XCTAssertEqual(s.nonEmptyVectors, 2)
        XCTAssertEqual(s.emptyVectors, 138)
        XCTAssertEqual(s.nonEmptyRows, 1)
        XCTAssertEqual(s.utilisation, (20.0 + 6) / 16 / 3, accuracy: 1e-12)
    }

    /// Nearest-neighbour resampling keeps a uniform mask's density.
    func testResamplingKeepsDensity() {
        var rng = RNGForTests.make(7)
        let m = SyntheticMaskSpec(density: 0.3).mask(n: 50, rng: &rng)
        let r = m.resampled(to: 197)
        XCTAssertEqual(r.n, 197)
        XCTAssertEqual(r.density, m.density, accuracy: 0.02)
        XCTAssertEqual(m.resampled(to: 50), m)
    }
}
