import RetortCore

// Must run before any BLAS call: re-executes once with OPENBLAS_CORETYPE set when
// Debian's OpenBLAS fell back to a generic kernel on this CPU.
BLASRuntime.ensureFastKernel()
RetortCommand.main()
