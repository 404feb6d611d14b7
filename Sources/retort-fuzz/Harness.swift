#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Two builds of one harness:
// - normal (`swift build`): `retort-fuzz TARGET FILE…` replays inputs through a parser
//   (to reproduce a finding, and in CI over the bad-input corpus);
// - fuzzing (`tools/fuzz.sh`: -sanitize=fuzzer -DFUZZING): libFuzzer drives
//   LLVMFuzzerTestOneInput with the parser named by RETORT_FUZZ_TARGET.
#if FUZZING
nonisolated(unsafe) var fuzzTarget: (@Sendable ([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if fuzzTarget == nil {
        let name = ProcessInfo.processInfo.environment["RETORT_FUZZ_TARGET"] ?? ""
        guard let t = FuzzParsers.all[name] else {
            FileHandle.standardError.write(Data("RETORT_FUZZ_TARGET must be one of \(FuzzParsers.all.keys.sorted().joined(separator: ", "))\n".utf8))
            exit(2)
        }
        fuzzTarget = t
    }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzTarget!(bytes)
    return 0
}

/// libFuzzer's driver, called from our own entry point: SwiftPM links executables with
/// `main` aliased to `<module>_main`, so libFuzzer's `main` is never pulled in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("retort_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
#else
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let parse = FuzzParsers.all[name], args.count >= 2 else {
            FileHandle.standardError.write(Data("usage: retort-fuzz TARGET FILE…   (TARGET: \(FuzzParsers.all.keys.sorted().joined(separator: ", ")))\n".utf8))
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            guard let d = FileManager.default.contents(atPath: path) else { FileHandle.standardError.write(Data("retort-fuzz: cannot read \(path)\n".utf8)); exit(2) }
            parse([UInt8](d)); count += 1
        }
        print("retort-fuzz \(name): \(count) inputs, no crash")
    }
}
#endif
