import XCTest
import RetortCore

final class ElementwiseTests: XCTestCase {
    func testAddScaleAxpy() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 3], values: [10, 20, 30, 40, 50, 60])
        XCTAssertEqual(Elementwise.add(a, b).array, [11, 22, 33, 44, 55, 66])
        let y = a.copy()
        Elementwise.add(b, into: y)
        XCTAssertEqual(y.array, [11, 22, 33, 44, 55, 66])
        Elementwise.axpy(-2, a, y)
        XCTAssertEqual(y.array, [9, 18, 27, 36, 45, 54])
        Elementwise.scale(y, by: 0.5)
        XCTAssertEqual(y.array, [4.5, 9, 13.5, 18, 22.5, 27])
        XCTAssertEqual(Elementwise.scaled(a, by: 3).array, [3, 6, 9, 12, 15, 18])
        XCTAssertEqual(a.array, [1, 2, 3, 4, 5, 6], "inputs are left alone")
    }

    func testColumnSumsAccumulateWithLeadingDimension() {
        Threads.set(2); defer { Threads.set(1) }
        let rows = 5000, ld = 7, cols = 5
        let m = randomTensor([rows, ld], seed: 1)
        let sums = Tensor(shape: [cols], repeating: 1)
        Elementwise.addColumnSums(m.data, rows: rows, cols: cols, ld: ld, into: sums.data)
        for j in 0..<cols {
            var s = 1.0
            for r in 0..<rows { s += Double(m[r * ld + j]) }
            XCTAssertEqual(Double(sums[j]), s, accuracy: 1e-4)
        }
    }
}
