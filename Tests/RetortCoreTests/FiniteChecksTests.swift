import RetortCore
import XCTest

/// The divergence guard's checks find one bad element anywhere (SIMD body or tail).
final class FiniteChecksTests: XCTestCase {
    func testEveryPositionAndKindOfNonFiniteValueIsFound() {
        for n in [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 4096, 4113] {
            let t = Tensor(shape: [n], repeating: 0.5)
            XCTAssertTrue(t.isAllFinite)
            XCTAssertEqual(t.sumOfSquares, 0.25 * Double(n), accuracy: 1e-9 * Double(n))
            for i in Set([0, n / 2, n - 1]) {
                for bad in [Float.nan, .infinity, -.infinity] {
                    t[i] = bad
                    XCTAssertFalse(t.isAllFinite, "n \(n), index \(i), \(bad)")
                    XCTAssertFalse(t.sumOfSquares.isFinite, "n \(n), index \(i), \(bad)")
                    t[i] = 0.5
                }
            }
            t[n - 1] = -Float.greatestFiniteMagnitude
            XCTAssertTrue(t.isAllFinite, "a huge finite value is finite")
        }
    }
}
