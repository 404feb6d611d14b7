import XCTest
import Dispatch
import RetortCore

/// Runs one `parallelChunks` over n items that each add their index to their chunk's slot
/// and returns the total: n·(n−1)/2 exactly when every item ran once.
private func chunkedSum(_ n: Int) -> Int {
    var partial = [Int](repeating: 0, count: 8)
    partial.withUnsafeMutableBufferPointer { p in
        let base = p.baseAddress!
        parallelChunks(n) { chunk, range in
            var s = 0
            for i in range { s += i }
            base[chunk] += s
        }
    }
    return partial.reduce(0, +)
}

/// `parallelChunks` on the spinning worker pool: every chunk runs exactly once per call, on the
/// hot path (back-to-back calls), after the workers have gone to sleep, with fewer chunks than
/// workers, nested, and with two threads calling at once (one of them falls back to Dispatch).
final class WorkerPoolTests: XCTestCase {
    override func tearDown() { Threads.set(1) }

    func testBackToBackCallsRunEveryChunkOnce() {
        Threads.set(2)
        for n in [2, 3, 17, 1000] {
            var wrong = 0
            for _ in 0..<2000 where chunkedSum(n) != n * (n - 1) / 2 { wrong += 1 }
            XCTAssertEqual(wrong, 0, "n \(n)")
        }
    }

    func testCallsAfterTheWorkersSleep() {
        Threads.set(2)
        for _ in 0..<5 {
            XCTAssertEqual(chunkedSum(100), 4950)
            usleep(3_000)  // longer than the spin window: the worker is asleep on the next call
        }
    }

    func testThreadCountChangesAndNarrowJobs() {
        for t in [3, 2, 1, 4, 2] {
            Threads.set(t)
            for n in [1, 2, 5, 64] {
                for _ in 0..<200 { XCTAssertEqual(chunkedSum(n), n * (n - 1) / 2, "threads \(t), n \(n)") }
            }
        }
    }

    func testNestedCallsRunInline() {
        Threads.set(2)
        var totals = [Int](repeating: 0, count: 2)
        totals.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            parallelChunks(2) { chunk, _ in base[chunk] = chunkedSum(50) }
        }
        XCTAssertEqual(totals, [1225, 1225])
    }

    func testTwoCallersAtOnce() {
        Threads.set(2)
        nonisolated(unsafe) let failures = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        failures.initialize(repeating: 0, count: 2)
        defer { failures.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for i in 0..<3000 {
                let n = 10 + (i + caller) % 90
                if chunkedSum(n) != n * (n - 1) / 2 { failures[caller] += 1 }
            }
        }
        XCTAssertEqual(failures[0] + failures[1], 0)
    }
}
