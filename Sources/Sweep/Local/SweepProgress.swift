import Foundation

/// The sweep's progress on stderr: one `\r`-updated line on a terminal, a plain line per
/// change otherwise. ETA = mean time of the points run so far × the points left / workers.
public final class SweepProgress {
    let total: Int
    let workers: Int
    let tty: Bool
    let write: (String) -> Void
    var durations: [Double] = []
    var lastPlain = ""
    var shown = false

    public init(total: Int, workers: Int, tty: Bool, write: @escaping (String) -> Void) {
        self.total = total; self.workers = workers; self.tty = tty; self.write = write
    }

    func finished(seconds: Double) { durations.append(seconds) }

    /// The progress line for these counts.
    public static func line(finished: Int, failed: Int, running: Int, total: Int, eta: Double?) -> String {
        let width = 24
        let filled = total == 0 ? width : width * finished / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled)
        var s = "sweep [\(bar)] \(finished)/\(total) finished, \(running) running"
        if failed > 0 { s += ", \(failed) failed" }
        s += ", ETA " + (eta.map(duration) ?? "…")
        return s
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }

    func show(finished: Int, failed: Int, running: Int, runningSeconds: [Double]) {
        var eta: Double?
        if !durations.isEmpty {
            let mean = durations.reduce(0, +) / Double(durations.count)
            let left = max(0, total - finished - failed)
            let queued = max(0, left - running)
            let inFlight = runningSeconds.map { max(0, mean - $0) }.max() ?? 0
            eta = left == 0 ? 0 : inFlight + mean * (Double(queued) / Double(max(1, workers))).rounded(.up)
        }
        let text = Self.line(finished: finished, failed: failed, running: running, total: total, eta: eta)
        if tty {
            write("\r\u{1B}[2K" + text); shown = true
        } else {
            let key = "\(finished) \(failed) \(running)"
            if key != lastPlain { lastPlain = key; write(text + "\n") }
        }
    }

    /// A line of its own (a failed point), not overwritten by the progress line.
    func note(_ text: String) {
        if tty && shown { write("\r\u{1B}[2K") }
        write(text + "\n")
    }

    func end() { if tty && shown { write("\n"); shown = false } }
}
