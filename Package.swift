// swift-tools-version:6.0
import PackageDescription

// Release builds are what users run and what the test suite runs (numerics in
// debug Swift are 10–100× slower). -Ounchecked drops overflow checks in the
// hot loops; the loops use unsafe pointers and are covered by the test suite.
// Retort is built from source on the machine that runs it, so the hand-written
// loops may use every vector extension of the host CPU (AVX2/AVX-512 instead of
// the SSE2 baseline).
// A binary for other machines (a cluster's compute nodes, whose CPU may differ from the login
// node's) is built for a named baseline instead: RETORT_TARGET_CPU=x86-64-v3 swift build -c release
// (AVX2/FMA, Haswell and later; x86-64-v2 for older nodes). docs/cluster.md measures the cost.
// Swift's C importer refuses the x86-64-vN level names as a CPU, so each level is compiled as the
// oldest CPU model that has exactly its vector extensions; other values go to -target-cpu as given.
let targetCPU: String = {
    let levels = ["x86-64-v2": "nehalem", "x86-64-v3": "haswell", "x86-64-v4": "skylake-avx512"]
    guard let v = Context.environment["RETORT_TARGET_CPU"], !v.isEmpty else { return "native" }
    return levels[v] ?? v
}()
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", targetCPU], .when(platforms: [.linux], configuration: .release)),
]
// Everything that is not a numeric kernel keeps Swift's checks (a broken invariant traps
// instead of running on with undefined behaviour).
let checked: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "Retort",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "retort", targets: ["retort"]),
        .executable(name: "retort-fuzz", targets: ["retort-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // YAML (and so JSON) config files with line numbers: `--config FILE`
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C shims
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CStb", path: "Sources/CStb", providers: [.apt(["libstb-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CVectorWidth", path: "Sources/CVectorWidth"),

        // numerics core: tensors, BLAS, layers with explicit forward/backward, losses, optimisers
        // 16-lane vector primitives (exp, compare-and-blend max/min) shared by GELU and the attention kernels
        .target(name: "VectorMath", dependencies: ["CVectorWidth"], swiftSettings: fast),
        .target(name: "RetortCore", dependencies: ["CBLAS", "VectorMath"], swiftSettings: fast),
        // data sets: gzip CSV loading with validation, splits, batches; image readers (npy/npz, IDX, CIFAR, PNG/JPEG folders)
        .target(name: "RetortData", dependencies: ["CZlib", "CStb", "RetortCore"], swiftSettings: checked),
        // models built from core layers, sliceable by width
        .target(name: "RetortModels", dependencies: ["RetortCore"], swiftSettings: fast),
        // run infrastructure the engines share: run folders and their lock, metrics and TensorBoard
        // files, checkpoints, rollback, divergence, prepared data, the epoch cursor and LR schedule,
        // config files (`--config FILE`, YAML or JSON)
        .target(name: "RunKit", dependencies: ["RetortCore", "RetortData", .product(name: "Yams", package: "Yams")], swiftSettings: checked),
        // the plain training engine (headless job, config, hyperparameters)
        .target(name: "TrainEngine", dependencies: ["RetortCore", "RetortData", "RetortModels", "RunKit"], swiftSettings: checked),
        // engines
        .target(name: "Distill", dependencies: ["RetortCore", "RetortData", "RetortModels", "RunKit", "TrainEngine"], swiftSettings: fast),
        .target(name: "Attention", dependencies: ["RetortCore", "VectorMath", "RetortData", "RunKit", "TrainEngine"], swiftSettings: fast),
        .target(name: "Accelerator", dependencies: ["RetortCore", "RetortModels"], swiftSettings: fast),
        // figures for papers: a pure figure model (axes, series, bands, bars, heatmap, Gantt,
        // scatter, legend, ticks) drawn by one small cairo backend to PDF, SVG and PNG
        .target(name: "Plot", dependencies: ["CCairo", "RetortCore"], swiftSettings: checked),
        // studies: sweeps over a command's options run as `retort` child processes (no engine
        // imports), locally or as a Slurm job array (Slurm/)
        .target(name: "Sweep", dependencies: ["RunKit", .product(name: "Yams", package: "Yams")], swiftSettings: checked),
        // runs engines on a background thread; immutable snapshots out, commands in
        .target(name: "Workbench", dependencies: ["RetortCore", "RunKit", "TrainEngine", "Distill", "Attention", "Accelerator"], swiftSettings: checked),
        // the TUI: pure cell-grid rendering plus a small ncurses backend
        .target(name: "RetortUI", dependencies: ["CNcurses", "RunKit", "Workbench"], swiftSettings: checked),
        // thin executable
        .executableTarget(
            name: "retort",
            dependencies: [
                "CNcurses", "RetortCore", "RetortData", "RetortModels", "RunKit", "TrainEngine",
                "Distill", "Attention", "Accelerator", "Workbench", "RetortUI", "Plot", "Sweep",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: checked),

        // fuzz harness for every file parser (tools/fuzz.sh builds it with -sanitize=fuzzer)
        .executableTarget(name: "retort-fuzz", dependencies: ["RetortCore", "RetortData", "RetortModels", "RetortUI", "Accelerator", "RunKit", "TrainEngine", "Distill", "Attention"], swiftSettings: checked),
        // finite-difference gradient checks and PyTorch fixtures shared by the test targets
        .target(name: "RetortTestSupport", dependencies: ["RetortCore", "RunKit", "TrainEngine"], path: "Tests/RetortTestSupport"),
        .testTarget(name: "RetortCoreTests", dependencies: ["RetortCore", "VectorMath", "RetortTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RetortDataTests", dependencies: ["RetortData"]),
        .testTarget(name: "RunKitTests", dependencies: ["RunKit", "RetortData", "RetortCore", "RetortTestSupport"]),
        .testTarget(name: "TrainEngineTests", dependencies: ["TrainEngine", "RunKit", "RetortTestSupport"]),
        .testTarget(name: "DistillTests", dependencies: ["Distill", "RunKit", "RetortTestSupport"]),
        .testTarget(name: "AttentionTests", dependencies: ["Attention", "RunKit", "TrainEngine", "RetortCore", "VectorMath", "RetortTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AcceleratorTests", dependencies: ["Accelerator", "RetortModels", "Attention", "RetortCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "RunKit", "TrainEngine", "Distill", "Attention", "Accelerator", "RetortTestSupport"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "CCairo"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "RunKit"]),
        .testTarget(name: "RetortUITests", dependencies: ["RetortUI", "Workbench", "RunKit", "TrainEngine"]),
        // TensorBoard event files and safetensors against fixtures from the real Python packages
        .testTarget(name: "InteropTests", dependencies: ["RetortCore", "RetortModels", "RunKit", "TrainEngine", "Distill", "Attention"],
                    resources: [.copy("Fixtures")]),
    ]
)
