import XCTest
import VectorMath

/// Both register blockings of the micro-kernel (4 × 64 for AVX-512, 6 × 16 for AVX2) against a
/// Double reference, whichever one this build's `tileAccumulate` dispatches to: every row
/// remainder of both block heights, widths that do and do not fill a 64-column block, plain and
/// transposed A, row-major B and B in 16-column panels, overwrite and accumulate, and no write
/// outside the rows × width block of C.
final class TileKernelTests: XCTestCase {
    typealias Kernel = (UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, Int, Int, Int, Int, Int,
                        UnsafeMutablePointer<Float>, Int, Bool) -> Void

    private let kernels: [(String, Kernel)] = [
        ("wide", { tileAccumulateWide($0, sm: $1, sk: $2, $3, ldb: $4, panel: $5, depth: $6, rows: $7, width: $8, $9, ldc: $10, accumulate: $11) }),
        ("narrow", { tileAccumulateNarrow($0, sm: $1, sk: $2, $3, ldb: $4, panel: $5, depth: $6, rows: $7, width: $8, $9, ldc: $10, accumulate: $11) }),
        ("dispatched", { tileAccumulate($0, sm: $1, sk: $2, $3, ldb: $4, panel: $5, depth: $6, rows: $7, width: $8, $9, ldc: $10, accumulate: $11) }),
    ]

    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(s >> 40) % 2001 - 1000) / 1000
        }
    }

    /// `panels`: B goes to the kernel packed in 16-column panels (ldb 16, panel 16·depth) instead
    /// of row-major with a padded stride; the reference reads the row-major copy either way.
    private func check(rows: Int, width: Int, depth: Int, transposedA: Bool, accumulate: Bool, panels: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) {
        let lda = transposedA ? rows + 3 : depth + 5, ldb = width + 16, ldc = width + 32
        let a = values(transposedA ? depth * lda : rows * lda, seed: 1)
        let b = values(depth * ldb, seed: 2)
        var packed = [Float](repeating: .nan, count: depth * width)
        for k in 0..<depth { for j in 0..<width { packed[(j / 16) * 16 * depth + k * 16 + j % 16] = b[k * ldb + j] } }
        let (kernelB, kernelLdb, panel) = panels ? (packed, 16, 16 * depth) : (b, ldb, 16)
        let c0 = values((rows + 1) * ldc, seed: 3)
        let (sm, sk) = transposedA ? (1, lda) : (lda, 1)
        for (name, kernel) in kernels {
            var c = c0
            a.withUnsafeBufferPointer { ap in kernelB.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                kernel(ap.baseAddress!, sm, sk, bp.baseAddress!, kernelLdb, panel, depth, rows, width, cp.baseAddress!, ldc, accumulate)
            } } }
            var worst = 0.0, outside = 0
            for m in 0...rows { for j in 0..<ldc {
                let i = m * ldc + j
                guard m < rows, j < width else {
                    if c[i] != c0[i] { outside += 1 }
                    continue
                }
                var want = accumulate ? Double(c0[i]) : 0
                for k in 0..<depth { want += Double(a[m * sm + k * sk]) * Double(b[k * ldb + j]) }
                worst = max(worst, abs(Double(c[i]) - want))
            } }
            let what = "\(name): rows \(rows), width \(width), depth \(depth), transposed A \(transposedA), accumulate \(accumulate), panels \(panels)"
            XCTAssertLessThan(worst, 1e-4 * Double(max(1, depth)), what, file: file, line: line)
            XCTAssertEqual(outside, 0, "\(what): values outside the block changed", file: file, line: line)
        }
    }

    func testEveryRowRemainderOfBothBlockHeights() {
        for rows in 1...13 { check(rows: rows, width: 64, depth: 9, transposedA: false, accumulate: false) }
    }

    func testWidthsAroundTheWideBlock() {
        for width in [16, 48, 64, 80, 144] {
            check(rows: 7, width: width, depth: 33, transposedA: false, accumulate: true)
            check(rows: 12, width: width, depth: 5, transposedA: true, accumulate: false)
        }
    }

    func testBInPanels() {
        for rows in [1, 4, 6, 11] {
            check(rows: rows, width: 64, depth: 30, transposedA: false, accumulate: true, panels: true)
            check(rows: rows, width: 80, depth: 7, transposedA: true, accumulate: false, panels: true)
        }
    }

    func testDepthOneAndLong() {
        check(rows: 6, width: 32, depth: 1, transposedA: true, accumulate: true)
        check(rows: 25, width: 96, depth: 200, transposedA: false, accumulate: true)
    }
}
