import RetortCore
import XCTest

/// `retort doctor`'s note on a preset OPENBLAS_CORETYPE: decided from the environment and
/// CPU flags passed in, so it is tested the same way whatever this machine presets.
final class BLASCoreAdviceTests: XCTestCase {
    let zen4 = CPUInfo(model: "AMD EPYC", flags: ["avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"],
                       logicalCores: 2)
    let haswellCPU = CPUInfo(model: "Intel Xeon", flags: ["avx", "avx2", "fma"], logicalCores: 2)

    func testAPresetCoreBelowTheBestIsNamedWithTheWayOut() throws {
        let note = try XCTUnwrap(BLASRuntime.presetCoreAdvice(environment: ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576"], cpu: zen4))
        XCTAssertTrue(note.contains("OPENBLAS_CORETYPE=Haswell, below this CPU's best core Cooperlake"), note)
        XCTAssertTrue(note.contains("env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE retort"), note)
        XCTAssertTrue(note.contains("retort bench gemm --compare-cores"), note)
    }

    func testNoNoteWhenThePresetIsTheBestOrUnset() {
        XCTAssertNil(BLASRuntime.presetCoreAdvice(environment: ["OPENBLAS_CORETYPE": "Haswell"], cpu: haswellCPU))
        XCTAssertNil(BLASRuntime.presetCoreAdvice(environment: ["OPENBLAS_CORETYPE": "cooperlake"], cpu: zen4))
        XCTAssertNil(BLASRuntime.presetCoreAdvice(environment: [:], cpu: zen4))
        // retort's own start-up choice is not a preset
        XCTAssertNil(BLASRuntime.presetCoreAdvice(environment: ["OPENBLAS_CORETYPE": "Haswell", "RETORT_BLAS_REEXEC": "1"], cpu: zen4))
    }

    func testBestCoreFollowsTheFlags() {
        XCTAssertEqual(zen4.bestOpenBLASCore, "Cooperlake")
        XCTAssertEqual(haswellCPU.bestOpenBLASCore, "Haswell")
        XCTAssertNil(CPUInfo(model: "old", flags: ["sse2"], logicalCores: 1).bestOpenBLASCore)
    }
}
