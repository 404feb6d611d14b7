import Foundation
import Synchronization

/// What a signal does to a headless command (the TUI installs its own, see TerminalGuard):
///
/// | signal | effect |
/// |---|---|
/// | SIGINT, SIGTERM, SIGHUP, SIGQUIT | one line on stderr, exit 128+n at once; every file written so far is whole (atomic writes), and a run resumes from its newest checkpoint |
/// | SIGPIPE | default: a command whose reader went away ends quietly (as `retort … | head` expects) |
/// | SIGTSTP, SIGCONT | default: stopped and continued by the shell's job control |
///
/// SIGQUIT used to reach Swift's crash handler, which printed a long crash report and then
/// let training go on.
enum HeadlessSignals {
    static let handled: [(Int32, String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGQUIT, "SIGQUIT")]
    /// One preformatted line per signal (the handler may only call async-signal-safe functions).
    nonisolated(unsafe) static var lines: [Int32: UnsafeMutablePointer<CChar>] = [:]

    /// A second line the handler writes after the first, saying what a command has saved so
    /// far (`retort compare`: which runs are in runs.csv). Two fixed buffers: `setNote` fills
    /// the one not in use and then switches, so the handler never reads a half-written line.
    static let noteCapacity = 1024
    nonisolated(unsafe) static let notes: [UnsafeMutablePointer<CChar>] = [0, 1].map { _ in
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: noteCapacity); p[0] = 0; return p
    }
    static let activeNote = Atomic<Int>(0)
    static let noteLock = Mutex(())

    /// Sets the note (one line, without "retort: " and the newline; "" clears it).
    static func setNote(_ text: String) {
        noteLock.withLock { _ in
            let next = 1 - activeNote.load(ordering: .relaxed)
            let bytes = Array((text.isEmpty ? "" : "retort: \(text)\n").utf8.prefix(noteCapacity - 2))
            let p = notes[next]
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            if !text.isEmpty && bytes.last != UInt8(ascii: "\n") { p[bytes.count] = 0x0A; p[bytes.count + 1] = 0 } else { p[bytes.count] = 0 }
            activeNote.store(next, ordering: .releasing)
        }
    }

    static func install() {
        for (sig, name) in handled {
            lines[sig] = strdup("retort: stopped by \(name) (exit \(128 + sig)); files written so far are whole — `retort resume RUN` continues a run from its newest checkpoint\n")
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { s in
                if let line = HeadlessSignals.lines[s] { _ = write(STDERR_FILENO, line, strlen(line)) }
                let n = HeadlessSignals.notes[HeadlessSignals.activeNote.load(ordering: .acquiring)]
                if n[0] != 0 { _ = write(STDERR_FILENO, n, strlen(n)) }
                _exit(128 + s)
            }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, nil)
        }
    }
}
