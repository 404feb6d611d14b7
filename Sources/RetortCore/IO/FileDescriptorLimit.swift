#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The open-file limit (`ulimit -n`) Retort needs. Below a few dozen descriptors the
/// libdispatch runtime under Swift's threads cannot create its own (epoll, eventfd,
/// timerfd) and traps (exit 132) wherever it first needs them; a run folder alone takes
/// seven (lock, metrics files, event file) and a checkpoint write one more. So the limit is
/// checked once at start-up: a soft limit below `minimum` is raised to it when the hard
/// limit allows (`ulimit -Sn 8`), and otherwise the command is refused with one line
/// before anything is opened.
public enum FileDescriptorLimit {
    /// 64: the TUI with a training run holds about 15 descriptors at its peak; the rest is headroom.
    public static let minimum = 64

    /// nil when at least `minimum` descriptors may be open (after raising the soft limit if
    /// need be), else the one-line refusal.
    public static func ensure(minimum: Int = minimum) -> String? {
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var l = rlimit()
        guard getrlimit(resource, &l) == 0, l.rlim_cur != rlim_t.max, l.rlim_cur < rlim_t(minimum) else { return nil }
        if l.rlim_max == rlim_t.max || l.rlim_max >= rlim_t(minimum) {
            var raised = l
            raised.rlim_cur = rlim_t(minimum)
            if setrlimit(resource, &raised) == 0 { return nil }
        }
        return "only \(l.rlim_cur) open files are allowed (ulimit -n \(l.rlim_cur)); Retort needs at least \(minimum): raise the limit (ulimit -n \(minimum))"
    }
}
