import Accelerator
import ArgumentParser
import Attention
import Foundation
import RetortCore
import RetortData
import RetortUI
import RunKit
import TrainEngine

// Must run before any BLAS call: re-executes once with OPENBLAS_CORETYPE set when
// Debian's OpenBLAS fell back to a generic kernel on this CPU.
BLASRuntime.ensureFastKernel()

// Bad input from files or option values ends the program with one line naming the file,
// line and field (exit 2); argument-syntax errors keep ArgumentParser's message (exit 64).
do {
    var command = try RetortCommand.parseAsRoot()
    try command.run()
} catch let e as DataError { fail(e.description)
} catch let e as InputFileError { fail(e.description)
} catch let e as ConfigError { fail(e.description)
} catch let e as AttentionError { fail(e.description)
} catch let e as Theme.ParseError { fail(e.description)
} catch let e as SafeTensorsError { fail(e.description)
} catch let e as TFRecord.FormatError { fail(e.description)
} catch let e as CheckpointError { fail(e.description)
} catch let e as AtomicFile.WriteError {
    FileHandle.standardError.write(Data("retort: \(e.description)\n".utf8))
    exit(1)
} catch {
    RetortCommand.exit(withError: error)
}
