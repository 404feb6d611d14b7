import CNcurses
import Foundation
import Synchronization

/// Signal handling that always gives the user their terminal back.
///
/// SIGINT/SIGTERM/SIGHUP/SIGQUIT set a flag that the UI loop checks (clean exit through
/// `endwin`, checkpoints of the running jobs, exit 128+n); SIGQUIT would otherwise reach
/// Swift's crash handler and freeze the UI. SIGPIPE is ignored (a failed write is an error,
/// not a silent death with the terminal left raw). SIGTSTP (Ctrl-Z, `kill -TSTP`) restores the
/// terminal and stops the process with SIGSTOP — also where the kernel would discard a TSTP
/// stop (an orphaned process group, e.g. a tmux pane without job control); on SIGCONT the
/// next frame's refresh takes the screen back (curses resumes after `endwin`).
/// Crash signals (a Swift trap is SIGILL/SIGTRAP) call `endwin` and re-raise with the
/// previous handler (Swift's backtracer), so the crash report prints on a sane terminal.
enum TerminalGuard {
    static let quitSignal = Atomic<Int32>(0)
    nonisolated(unsafe) static var cursesActive = false
    nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]
    static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE]

    static func install() {
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { s in TerminalGuard.quitSignal.store(s, ordering: .relaxed) }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, nil)
        }
        var tstp = sigaction()
        tstp.__sigaction_handler.sa_handler = { _ in
            if TerminalGuard.cursesActive { endwin() }
            raise(SIGSTOP)
        }
        sigemptyset(&tstp.sa_mask)
        tstp.sa_flags = Int32(SA_RESTART)
        sigaction(SIGTSTP, &tstp, nil)
        for sig in crashSignals {
            var sa = sigaction(), old = sigaction()
            sa.__sigaction_handler.sa_handler = { s in
                if TerminalGuard.cursesActive { endwin(); TerminalGuard.cursesActive = false }
                var prev = TerminalGuard.previous[s] ?? sigaction()
                sigaction(s, &prev, nil)
                raise(s)
            }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(sig, &sa, &old)
            previous[sig] = old
        }
    }
}
