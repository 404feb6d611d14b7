import Dispatch

/// Thread count for Retort's own loops (BLAS has its own, set together by `setThreads`).
public enum Threads {
    nonisolated(unsafe) private static var _count = 1
    public static var count: Int { _count }
    /// Sets both Retort's loop threads and the BLAS threads.
    public static func set(_ n: Int) {
        _count = max(1, n)
        BLASRuntime.setThreads(_count)
    }
}

/// Runs `body(chunkIndex, range)` over `0..<n` split into contiguous chunks, one per
/// thread. Chunking depends only on `n` and the thread count, so results that are
/// reduced per chunk and combined in chunk order are deterministic.
@inline(__always)
public func parallelChunks(_ n: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    let t = min(Threads.count, max(1, n / max(1, minChunk)))
    if t <= 1 { body(0, 0..<n); return }
    let per = (n + t - 1) / t
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint memory; callers guarantee that.
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: t) { i in
            let lo = i * per, hi = min(n, lo + per)
            if lo < hi { work(i, lo..<hi) }
        }
    }
}
