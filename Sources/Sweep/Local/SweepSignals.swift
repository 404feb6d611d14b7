import Foundation
import Synchronization

/// Ctrl-C and friends for a sweep: the handler only records the signal; the executor then
/// forwards SIGTERM to its children, waits for them, puts their points back in the queue and
/// exits 130 (the manifest stays consistent).
public enum SweepSignals {
    static let received = Atomic<Int32>(0)

    public static var signal: Int32 { received.load(ordering: .acquiring) }

    public static func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { s in SweepSignals.received.store(s, ordering: .releasing) }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, nil)
        }
    }
}
