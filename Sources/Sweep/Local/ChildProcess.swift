import Foundation

/// A `retort` child process started with `posix_spawn`: stdin from /dev/null, stdout and
/// stderr appended to a log file, SIGINT and SIGTERM at their default actions.
enum ChildProcess {
    static func spawn(_ executable: String, _ arguments: [String], log: URL, environment: [String: String]? = nil) throws -> pid_t {
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, log.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&fa, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &fa, &attr, argv, envp)
        guard rc == 0 else { throw SweepError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// How a child ended: its exit status, or 128 + the signal that ended it.
    static func status(_ raw: Int32) -> (code: Int, signal: Int32?) {
        let sig = raw & 0x7f
        if sig == 0 { return (Int((raw >> 8) & 0xff), nil) }
        return (128 + Int(sig), sig)
    }
}

/// A failure of the sweep itself (not a point's): one line.
public struct SweepError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
