import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads behind `forkJoin`: persistent workers that wait for the next job by
/// spinning for a short while (yielding the core to any other runnable thread) and then
/// sleeping on a condition variable.
///
/// Why not `DispatchQueue.concurrentPerform`: its fork-join costs 10–20 µs on these
/// machines, more than a whole small kernel (softmax attention at n = 64 is ≈ 45 µs on one
/// thread). A worker that is still spinning from the previous kernel picks a job up within
/// a microsecond. This is what OpenMP runtimes do (libgomp spins before sleeping); the
/// spin window is `spinNanoseconds`.
///
/// One caller at a time: a second thread that calls `run` while a job is in flight (two
/// engines training at once in the workbench) gets `false` and runs its job elsewhere.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker keeps polling for the next job before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    // Threads started so far; only the caller that holds `busy` reads or grows it.
    nonisolated(unsafe) private var workerCount = 0
    // Written by the caller before `generation` is incremented (release) and read by
    // workers after they observe the new generation (acquire).
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var jobWidth = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    static let shared = WorkerPool()

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(i)` for i in 0..<t, `body(0)` on the calling thread and the rest on the
    /// pool's workers, and returns when all have finished. Returns false without running
    /// anything when another thread is using the pool.
    func run(_ t: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        ensureWorkers(t - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            jobWidth = t
            // Every worker acknowledges every job, also those with no part in it, so that
            // none can still be reading `job` when the next one is published.
            remaining.store(workerCount, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            runInsideParallelChunk(body, 0)
            var polls = 0
            while remaining.load(ordering: .acquiring) > 0 {
                polls += 1
                if polls > 64 { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func ensureWorkers(_ needed: Int) {
        while workerCount < needed {
            workerCount += 1
            spawn(workerCount)
        }
    }

    private func spawn(_ index: Int) {
        let context = Unmanaged.passRetained(WorkerStart(pool: self, index: index, seen: generation.load(ordering: .acquiring)))
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            #if canImport(Darwin)
            let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeRetainedValue()
            #else
            let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
            #endif
            start.pool.workerLoop(index: start.index, seen: start.seen)
            return nil
        }, context.toOpaque())
        precondition(rc == 0, "WorkerPool: pthread_create failed (\(rc))")
        pthread_detach(thread)
    }

    private func workerLoop(index: Int, seen start: Int) -> Never {
        var seen = start
        while true {
            seen = waitForJob(after: seen)
            if index < jobWidth, let body = job { runInsideParallelChunk(body, index) }
            remaining.subtract(1, ordering: .releasing)
        }
    }

    /// Polls `generation` for up to `spinNanoseconds`, then sleeps until it changes.
    private func waitForJob(after seen: Int) -> Int {
        let deadline = Self.now() &+ Self.spinNanoseconds
        var polls = 0
        while true {
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
            polls += 1
            if polls & 15 == 0 {
                if Self.now() > deadline { break }
                sched_yield()
            }
        }
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var g = generation.load(ordering: .sequentiallyConsistent)
        while g == seen {
            pthread_cond_wait(wake, mutex)
            g = generation.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return g
    }

    @inline(__always)
    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

private final class WorkerStart {
    let pool: WorkerPool
    let index: Int
    let seen: Int
    init(pool: WorkerPool, index: Int, seen: Int) {
        self.pool = pool
        self.index = index
        self.seen = seen
    }
}
