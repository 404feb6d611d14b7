import ArgumentParser
import RetortCore

// Too few file descriptors would make libdispatch trap later on: refuse in one line now.
if let refusal = FileDescriptorLimit.ensure() { terminate(.failure, refusal) }
// Must run before any BLAS call: re-executes once with OPENBLAS_CORETYPE set when
// Debian's OpenBLAS fell back to a generic kernel on this CPU.
BLASRuntime.ensureFastKernel()
// One line and exit 128+n on INT/TERM/HUP/QUIT (the TUI replaces these with its own).
HeadlessSignals.install()

// Every error that ends the program goes through `ExitStatus.of`: bad input from files or
// values is one line naming the file, line and field (exit 2), an I/O failure exit 1;
// argument-syntax and option-value errors keep ArgumentParser's message (exit 64).
do {
    var command = try RetortCommand.parseAsRoot()
    try command.run()
    checkStdout()
} catch {
    checkStdout()
    if let (status, message) = ExitStatus.of(error) { terminate(status, message) }
    RetortCommand.exit(withError: error)
}
