import Foundation

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

    static func install() {
        for (sig, name) in handled {
            lines[sig] = strdup("retort: stopped by \(name) (exit \(128 + sig)); files written so far are whole — `retort resume RUN` continues a run from its newest checkpoint\n")
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { s in
                if let line = HeadlessSignals.lines[s] { _ = write(STDERR_FILENO, line, strlen(line)) }
                _exit(128 + s)
            }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, nil)
        }
    }
}
