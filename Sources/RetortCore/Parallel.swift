import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thread count for Retort's own loops and for BLAS products (`BLAS.gemm` splits large
/// products across these threads; see `BLASRuntime.setThreads`).
public enum Threads {
    nonisolated(unsafe) private static var _count = 1
    public static var count: Int { _count }
    /// Sets both Retort's loop threads and the BLAS threads.
    public static func set(_ n: Int) {
        _count = max(1, n)
        BLASRuntime.setThreads(_count)
    }
}

/// Marks threads that are running a chunk of `parallelChunks`, so that nested parallel
/// loops (and GEMMs called from inside a chunk) run inline instead of oversubscribing.
private let parallelRegionKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// True on a thread that is currently running a chunk of `parallelChunks`.
@inline(__always)
var insideParallelChunk: Bool { pthread_getspecific(parallelRegionKey) != nil }

/// Runs `body(chunkIndex, range)` over `0..<n` split into contiguous chunks, one per
/// thread. Chunking depends only on `n` and the thread count, so results that are
/// reduced per chunk and combined in chunk order are deterministic. Called from inside
/// a chunk (nested), it runs `body(0, 0..<n)` inline.
@inline(__always)
public func parallelChunks(_ n: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    let t = min(Threads.count, max(1, n / max(1, minChunk)))
    if t <= 1 || insideParallelChunk { body(0, 0..<n); return }
    let per = (n + t - 1) / t
    forkJoin(t) { i in
        let lo = i * per, hi = min(n, lo + per)
        if lo < hi { body(i, lo..<hi) }
    }
}

/// Runs `body(i)` for i in 0..<t concurrently and returns when all have finished. The
/// threads are marked as inside a parallel chunk while they run `body`. The work goes to
/// `WorkerPool` (µs fork-join); when another thread holds the pool (or with
/// `RETORT_FORK_JOIN=dispatch`) it goes to Dispatch.
func forkJoin(_ t: Int, _ body: (Int) -> Void) {
    if forkJoinOnPool, WorkerPool.shared.run(t, body) { return }
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint memory; callers guarantee that.
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: t) { i in runInsideParallelChunk(work, i) }
    }
}

/// Runs `body(i)` with this thread marked as inside a parallel chunk (for `forkJoin`'s threads,
/// pooled or Dispatch), restoring the mark it had before.
@inline(__always)
func runInsideParallelChunk(_ body: (Int) -> Void, _ i: Int) {
    let outer = pthread_getspecific(parallelRegionKey)
    pthread_setspecific(parallelRegionKey, UnsafeRawPointer(bitPattern: 1))
    body(i)
    pthread_setspecific(parallelRegionKey, outer)
}

/// `RETORT_FORK_JOIN=dispatch` runs every fork-join on `DispatchQueue.concurrentPerform` instead
/// of the worker pool: a diagnostic, to compare the two (docs/performance.md); results are
/// identical either way (the chunking does not change).
let forkJoinOnPool = getenv("RETORT_FORK_JOIN").map { String(cString: $0) != "dispatch" } ?? true
