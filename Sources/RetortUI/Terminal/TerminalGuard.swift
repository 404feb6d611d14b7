import CNcurses
import Foundation
import Synchronization

/// Signal handling that always gives the user their terminal back.
///
/// SIGINT/SIGTERM/SIGHUP set a flag that the UI loop checks (clean exit through `endwin`).
/// Crash signals (a Swift trap is SIGILL/SIGTRAP) call `endwin` and re-raise with the
/// previous handler (Swift's backtracer), so the crash report prints on a sane terminal.
enum TerminalGuard {
    static let quitSignal = Atomic<Int32>(0)
    nonisolated(unsafe) static var cursesActive = false
    nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]
    static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE]

    static func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { s in TerminalGuard.quitSignal.store(s, ordering: .relaxed) }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, nil)
        }
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
