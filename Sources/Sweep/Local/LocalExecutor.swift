import Foundation

/// Runs a study's points as `retort` child processes, `workers` at a time, updating the
/// manifest as each starts and ends. Finished points are skipped; a point an earlier attempt
/// left unfinished resumes from its checkpoint. On SIGINT/SIGTERM/SIGHUP the children get
/// SIGTERM, their points go back to queued and `run` returns with `interrupted`.
public final class LocalExecutor {
    public struct Outcome: Sendable, Equatable {
        public var finished = 0
        public var failed = 0
        public var interrupted = false
        /// Points skipped because they were finished already.
        public var skipped = 0
    }

    let study: Study
    let folder: StudyFolder
    let executable: String
    let workers: Int
    let launcher: PointLauncher
    let progress: SweepProgress?
    let host = ProcessInfo.processInfo.hostName
    /// Called (on the executor's thread) after a point ended and the manifest says how:
    /// its entry as recorded (finished, failed, or queued again when interrupted).
    public var onEnd: ((Manifest.Entry) -> Void)?
    /// The children's environment (nil: this process's).
    public var environment: [String: String]?
    /// Start no further point once one failed (`attention train`'s queue stops at a divergence).
    public var stopAfterFailure = false

    public init(study: Study, folder: StudyFolder, executable: String, workers: Int, threads: Int, progress: SweepProgress?) {
        self.study = study; self.folder = folder; self.executable = executable; self.workers = max(1, workers)
        launcher = PointLauncher(study: study, folder: folder, threads: threads)
        self.progress = progress
    }

    struct Running {
        let index: Int
        let id: String
        let started: Date
        let log: URL
    }

    /// Runs the points (all, or only `indices`: a `sweep run` task, which also takes over
    /// points marked running by a task that was killed or requeued).
    public func run(indices: [Int]? = nil) throws -> Outcome {
        var out = Outcome()
        var running: [pid_t: Running] = [:]
        var attempted = Set<Int>()
        var forwarded = false
        let allowed = indices.map(Set.init)
        out.skipped = try folder.store.read().points.filter { ($0.state == .finished) && (allowed?.contains($0.index) ?? true) }.count
        var exhausted = false   // nothing left to claim (points failed here are not retried in this run)
        while true {
            if SweepSignals.signal == 0 {
                while !exhausted, running.count < workers {
                    guard let e = try claim(allowed: allowed, attempted: attempted, takeOver: indices != nil) else { exhausted = true; break }
                    counts = nil
                    attempted.insert(e.index)
                    guard let (pid, r) = try launch(e) else { out.failed += 1; if stopAfterFailure { exhausted = true }; continue }
                    running[pid] = r
                    try folder.store.update { m in m.points[e.index].worker = "\(host):\(pid)" }
                }
            } else if !forwarded {
                for pid in running.keys { kill(pid, SIGTERM) }
                forwarded = true
                out.interrupted = true
            }
            if running.isEmpty { break }
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            if pid > 0, let r = running.removeValue(forKey: pid) {
                let ok = try finish(r, status: ChildProcess.status(raw))
                counts = nil
                if ok == true { out.finished += 1 } else if ok == false { out.failed += 1; if stopAfterFailure { exhausted = true } }
                continue
            }
            try show(running)
            usleep(100_000)
        }
        try show(running)
        progress?.end()
        if SweepSignals.signal != 0 { out.interrupted = true }
        return out
    }

    /// The manifest's finished and failed counts (nil after a change: read again).
    var counts: (finished: Int, failed: Int)?

    func show(_ running: [pid_t: Running]) throws {
        guard let progress else { return }
        if counts == nil {
            let m = try folder.store.read()
            counts = (m.count(.finished), m.count(.failed))
        }
        let now = Date()
        progress.show(finished: counts!.finished, failed: counts!.failed, running: running.count,
                      runningSeconds: running.values.map { now.timeIntervalSince($0.started) })
    }

    /// Marks the next point to run as running (under the manifest lock) and returns it.
    func claim(allowed: Set<Int>?, attempted: Set<Int>, takeOver: Bool) throws -> Manifest.Entry? {
        try folder.store.update { (m: inout Manifest) -> Manifest.Entry? in
            guard let i = m.points.firstIndex(where: { e in
                guard allowed?.contains(e.index) ?? true, !attempted.contains(e.index) else { return false }
                switch e.state {
                case .finished: return false
                case .queued, .failed: return true
                case .running: return takeOver || isStale(e.worker)
                }
            }) else { return nil }
            m.points[i].state = .running
            m.points[i].worker = "\(host):\(getpid())"
            m.points[i].started = Manifest.timestamp()
            m.points[i].finished = nil
            m.points[i].exitCode = nil
            m.points[i].attempts += 1
            return m.points[i]
        }
    }

    /// Whether a point marked running has no live process: its worker ran on this host and is gone.
    public func isStale(_ worker: String?) -> Bool {
        guard let worker, let colon = worker.lastIndex(of: ":") else { return true }
        guard worker[..<colon] == host, let pid = pid_t(worker[worker.index(after: colon)...]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Starts a point's child; nil (the point marked failed, with the reason) when it cannot start.
    func launch(_ e: Manifest.Entry) throws -> (pid_t, Running)? {
        let log = folder.logURL(e.id)
        func failed(_ error: Error) throws -> (pid_t, Running)? {
            try folder.store.update { m in
                m.points[e.index].state = .failed; m.points[e.index].lastLine = "\(error)"; m.points[e.index].worker = nil
                m.points[e.index].finished = Manifest.timestamp()
            }
            progress?.note("retort: \(e.id) could not start: \(error)")
            if let entry = try? folder.store.read().points[e.index] { onEnd?(entry) }
            return nil
        }
        let start: PointLauncher.Start
        do { start = try launcher.start(e) } catch { return try failed(error) }
        let args = launcher.arguments(e, start)
        let header = "== \(Manifest.timestamp()) attempt \(e.attempts): retort \(args.joined(separator: " "))\n"
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        if let h = FileHandle(forWritingAtPath: log.path) {
            h.seekToEndOfFile(); h.write(Data(header.utf8)); try? h.close()
        }
        let pid: pid_t
        do { pid = try ChildProcess.spawn(executable, args, log: log, environment: environment) } catch { return try failed(error) }
        return (pid, Running(index: e.index, id: e.id, started: Date(), log: log))
    }

    /// Records how a point ended: true finished, false failed, nil interrupted (queued again).
    func finish(_ r: Running, status: (code: Int, signal: Int32?)) throws -> Bool? {
        let seconds = Date().timeIntervalSince(r.started)
        let last = Self.lastLine(of: r.log)
        let interrupted = SweepSignals.signal != 0 || [SIGINT, SIGTERM, SIGHUP].contains(status.signal ?? 0)
            || (status.signal == nil && [130, 143, 129].contains(status.code))
        let state: Manifest.State = status.code == 0 ? .finished : interrupted ? .queued : .failed
        let entry = try folder.store.update { m -> Manifest.Entry in
            var e = m.points[r.index]
            e.state = state; e.exitCode = status.code; e.lastLine = last; e.worker = nil
            e.finished = Manifest.timestamp(); e.seconds = seconds
            m.points[r.index] = e
            return e
        }
        if state == .finished, study.command.keepsReport {
            try? FileManager.default.copyItem(at: r.log, to: folder.url.appendingPathComponent("runs/\(r.id)/report.txt"))
        }
        if state == .finished { progress?.finished(seconds: seconds) }
        onEnd?(entry)
        if state == .failed {
            let how = status.signal.map { "killed by signal \($0)" } ?? "exit \(status.code)"
            progress?.note("retort: \(r.id) failed (\(how)): \(last ?? "no output"); log \(r.log.path)")
        }
        return state == .finished ? true : state == .failed ? false : nil
    }

    /// The last non-empty line of a log (after a terminal's `\r` updates).
    static func lastLine(of url: URL) -> String? {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? h.close() }
        let size = h.seekToEndOfFile()
        h.seek(toFileOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.last { !$0.isEmpty }.map { String($0.prefix(300)) }
    }
}
