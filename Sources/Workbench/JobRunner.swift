import Dispatch
import Foundation
import Synchronization

/// An engine job the workbench can run on a background thread: it advances one unit
/// of work at a time (a training step, a simulator event) and describes itself as an
/// immutable snapshot.
public protocol SteppableJob: AnyObject, SendableMetatype {
    associatedtype Snapshot: Sendable
    var isFinished: Bool { get }
    /// Progress counter shown with messages (e.g. the global step).
    var progress: Int { get }
    /// One unit of work. Throwing fails the job with the error's description.
    func advance() throws
    /// Applies `.set` and `.save` (the runner handles pause/resume/step/stop) and returns a
    /// confirmation for the message line; throws a one-line reason when refused.
    func handle(_ command: JobCommand) throws -> String
    func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> Snapshot
    /// Checked after every step: a reason makes the runner pause (e.g. a breakpoint hit).
    func takePauseRequest() -> String?
    /// Messages the job produced while stepping (e.g. a checkpoint written or refused).
    func takeNotes() -> [(JobMessage.Level, String)]
    /// Does a short slice of pending work that is not a step (e.g. re-simulating after a
    /// setting changed) and returns true, or returns false when there is none. Runs before
    /// any step; commands are read between slices.
    func continueBackgroundWork() -> Bool
}

public extension SteppableJob {
    func takePauseRequest() -> String? { nil }
    func takeNotes() -> [(JobMessage.Level, String)] { [] }
    func continueBackgroundWork() -> Bool { false }
}

/// Runs a job on its own thread. The UI sends commands (queued, applied between steps)
/// and reads the latest snapshot; it never touches the job itself.
public final class JobRunner<Job: SteppableJob>: @unchecked Sendable {
    private let job: Job
    private let queue = Mutex<[JobCommand]>([])
    private let published: Mutex<Job.Snapshot>
    private let wake = DispatchSemaphore(value: 0)
    private let finishedSignal = DispatchSemaphore(value: 0)
    private var thread: Thread?
    /// Minimum seconds between snapshots while running (state changes publish at once).
    public let publishInterval: Double

    // Worker-thread state
    private var state: JobState = .starting
    private var stepBudget = 0
    private var messages: [JobMessage] = []
    private var started = DispatchTime.now().uptimeNanoseconds
    private var runningSeconds = 0.0

    public init(job: Job, startPaused: Bool = false, publishInterval: Double = 0.03) {
        self.job = job
        self.publishInterval = publishInterval
        state = startPaused ? .paused : .running
        published = Mutex(job.snapshot(state: .starting, messages: [], elapsed: 0))
    }

    /// The most recent snapshot (cheap: a copy of an immutable value).
    public var snapshot: Job.Snapshot { published.withLock { $0 } }

    public func send(_ command: JobCommand) {
        queue.withLock { $0.append(command) }
        wake.signal()
    }

    public func start() {
        let t = Thread { [self] in self.loop() }
        t.name = "retort-job"
        t.stackSize = 8 << 20
        thread = t
        started = DispatchTime.now().uptimeNanoseconds
        t.start()
    }

    /// Blocks until the runner's thread has ended: after `.stop`, or when the job failed.
    /// A finished job stays alive for `.save`/`.set` until it is sent `.stop`.
    public func waitUntilDone() { finishedSignal.wait(); finishedSignal.signal() }

    /// Runs `body` on the job once the runner's thread has ended (waits for it, so send
    /// `.stop` first): the job is the caller's again, e.g. for a last checkpoint.
    public func afterDone<T>(_ body: (Job) throws -> T) rethrows -> T {
        waitUntilDone()
        return try body(job)
    }

    private func note(_ level: JobMessage.Level, _ text: String) {
        messages.append(JobMessage(level, text, step: job.progress))
        if messages.count > 200 { messages.removeFirst(messages.count - 200) }
    }

    private func publish(elapsed: Double) {
        let s = job.snapshot(state: state, messages: messages, elapsed: elapsed)
        published.withLock { $0 = s }
    }

    private func loop() {
        var lastPublish = 0.0
        var runStart = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double {
            runningSeconds + (state == .running || stepBudget > 0 ? Double(DispatchTime.now().uptimeNanoseconds - runStart) / 1e9 : 0)
        }
        publish(elapsed: 0)
        while true {
            let commands = queue.withLock { q -> [JobCommand] in defer { q.removeAll() }; return q }
            var stop = false
            for c in commands {
                switch c {
                case .pause:
                    if state == .running { runningSeconds = elapsed(); state = .paused; note(.info, "paused") }
                case .resume:
                    if state == .paused { state = .running; runStart = DispatchTime.now().uptimeNanoseconds; note(.info, "resumed") }
                case .step(let n):
                    if state == .running { runningSeconds = elapsed(); state = .paused }
                    if state == .paused { stepBudget += max(1, n); runStart = DispatchTime.now().uptimeNanoseconds }
                case .stop:
                    stop = true
                case .set, .save:
                    do { let m = try job.handle(c); if !m.isEmpty { note(.info, m) } } catch { note(.error, "\(error)") }
                case .rollback:
                    // a successful rollback runs on (it is what the user asked for after a divergence)
                    do {
                        let m = try job.handle(c)
                        if !m.isEmpty { note(.info, m) }
                        if state == .paused { state = .running; runStart = DispatchTime.now().uptimeNanoseconds }
                    } catch { note(.error, "\(error)") }
                }
            }
            if !commands.isEmpty { publish(elapsed: elapsed()); lastPublish = elapsed() }
            if stop || state == .finished || state == .failed { break }
            if job.isFinished {
                runningSeconds = elapsed()
                state = .finished; stepBudget = 0
                note(.info, "finished"); publish(elapsed: runningSeconds)
                // Stay alive for save/set commands until stopped.
                while true {
                    _ = wake.wait(timeout: .now() + 0.1)
                    let cs = queue.withLock { q -> [JobCommand] in defer { q.removeAll() }; return q }
                    if cs.contains(.stop) { finishedSignal.signal(); return }
                    for c in cs where c == .save { do { note(.info, try job.handle(c)) } catch { note(.error, "\(error)") } }
                    if !cs.isEmpty { publish(elapsed: runningSeconds) }
                }
            }
            if job.continueBackgroundWork() {
                for (level, text) in job.takeNotes() { note(level, text) }
                publish(elapsed: elapsed())
                continue
            }
            if state == .paused && stepBudget == 0 {
                _ = wake.wait(timeout: .now() + 0.1)
                continue
            }
            do {
                try job.advance()
            } catch {
                runningSeconds = elapsed()
                state = .failed
                note(.error, "\(error)")
                publish(elapsed: runningSeconds)
                break
            }
            for (level, text) in job.takeNotes() { note(level, text) }
            if let reason = job.takePauseRequest() {
                runningSeconds = elapsed(); state = .paused; stepBudget = 0
                note(.info, reason); publish(elapsed: runningSeconds); lastPublish = runningSeconds
                continue
            }
            if stepBudget > 0 {
                stepBudget -= 1
                if stepBudget == 0 { runningSeconds = elapsed(); publish(elapsed: runningSeconds); lastPublish = runningSeconds; continue }
            }
            let now = elapsed()
            if now - lastPublish >= publishInterval { publish(elapsed: now); lastPublish = now }
        }
        publish(elapsed: runningSeconds)
        finishedSignal.signal()
    }
}
