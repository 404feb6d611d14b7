import CNcurses
import Accelerator
import Attention
import Foundation
import RetortCore
import RetortData
import RetortUI
import RunKit
import TrainEngine

/// The exit statuses of `retort`, one table for the whole program (the README's
/// "Exit codes" lists the same).
enum ExitStatus: Equatable {
    /// 0: the command did what it was asked.
    case ok
    /// 1: an internal or I/O failure (a file that cannot be written, a failed subprocess).
    case failure
    /// 2: a bad input file or value; one line `retort: file:line: field: problem`.
    case badInput
    /// 3: a run diverged (non-finite loss or weights); the line says how to go on.
    case diverged
    /// 64: a usage error (unknown option, bad option value), ArgumentParser's message.
    case usage
    /// 128 + n: ended by signal n (the TUI after SIGINT/SIGTERM/SIGHUP; the shell reports
    /// the same for a process killed outright).
    case signal(Int32)

    var code: Int32 {
        switch self {
        case .ok: return 0
        case .failure: return 1
        case .badInput: return 2
        case .diverged: return 3
        case .usage: return 64
        case .signal(let n): return 128 + n
        }
    }

    /// The status and one-line message an error ends the program with, or nil for the
    /// errors ArgumentParser reports itself (usage errors, 64; `--help`, 0). The one place
    /// that maps error types to statuses.
    static func of(_ error: Error) -> (status: ExitStatus, message: String)? {
        switch error {
        case let e as DataError: return (.badInput, e.description)
        case let e as InputFileError: return (.badInput, e.description)
        case let e as ConfigError: return (.badInput, e.description)
        case let e as AttentionError: return (.badInput, e.description)
        case let e as Theme.ParseError: return (.badInput, e.description)
        case let e as SafeTensorsError: return (.badInput, e.description)
        case let e as TFRecord.FormatError: return (.badInput, e.description)
        case let e as CheckpointError: return (.badInput, e.description)
        case let e as AtomicFile.WriteError: return (.failure, e.description)
        default: return nil
        }
    }
}

/// Ends the program with `status`, after one line `retort: message` on stderr.
func terminate(_ status: ExitStatus, _ message: String) -> Never {
    fflush(nil)
    writeStderr("retort: \(message)\n")
    Foundation.exit(status.code)
}

/// Writes to file descriptor 2 and ignores a failure: with stderr closed (`2>&-`) or full,
/// an error path must still exit with its status instead of trapping in FileHandle.
func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        bytes = bytes.dropFirst(n)
    }
}

/// After a command that printed its results: a failed write to stdout (a full disk,
/// `> /dev/full`, a closed stdout) is a failure, not exit 0 with the output lost.
func checkStdout() {
    errno = 0
    let out = cn_stdout()
    if fflush(out) != 0 || ferror(out) != 0 {
        let reason = errno != 0 ? String(cString: strerror(errno)) : "write error"
        terminate(.failure, "standard output: write failed (\(reason)); the results above are incomplete")
    }
}

/// Ends the program with `status` and no message.
func terminate(_ status: ExitStatus) -> Never {
    fflush(nil)
    Foundation.exit(status.code)
}

/// Prints a one-line error and exits with status 2 (bad input).
func fail(_ message: String) -> Never { terminate(.badInput, message) }
