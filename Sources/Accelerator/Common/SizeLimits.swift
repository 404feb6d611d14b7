/// Upper limits on every size an input can give the accelerator simulators, so that an
/// absurd value (a GEMM with M = N = K = 10¹¹) is refused with one line naming the field
/// and the limit instead of overflowing or running for hours. Each limit is far above any
/// real workload and chosen so that the closed form stays exact in 64-bit integers and the
/// commands answer within seconds.
public enum SizeLimits {
    /// M, N and K of a GEMM (also after a convolution is lowered): 2²⁰. M·N·K ≤ 2⁶⁰ MACs and
    /// the closed-form cycle count (≤ folds × fold length < 2⁶¹) fit in an `Int`. A 416×416
    /// output map (YOLO) is M = 173 056.
    public static let gemmDimension = 1 << 20
    /// Rows and columns of a systolic array (SCALE-Sim `ArrayHeight`/`ArrayWidth`, `sa_rows`,
    /// `sa_cols`, `sa_diag_rows`): 4096, i.e. 16.7 M PEs (TPUs are 128×128 or 256×256).
    public static let arraySide = 4096
    /// Layers in one topology, after depthwise rows are split per channel: 16 384.
    public static let layers = 1 << 14
    /// Convolution fields (IFMAP height/width, filter height/width, channels, filters, stride): 2²⁰.
    public static let convField = 1 << 20
    /// SRAM sizes in kB (SCALE-Sim `*SramSzkB`, accelerator `sram_*_kb`): 2³⁰ kB = 1 TiB.
    public static let sramKB = 1 << 30
    /// SCALE-Sim operand offsets (trace addresses): 2⁴⁰, so addresses stay far from overflow.
    public static let offset = 1 << 40
    /// SCALE-Sim request buffers, bandwidths and SRAM bank counts/ports/bandwidths: 2²⁰.
    public static let buffer = 1 << 20
    /// Unit lanes of the accelerator config (accumulator, adder, divider, exp): 65 536.
    public static let lanes = 1 << 16
    /// Systolic-array chunks of the accelerator config (each is simulated as its own unit): 256.
    public static let chunks = 256
    /// Latencies in cycles (unit latencies, `dram_latency_cycles`): 10⁶.
    public static let latency = 1_000_000
    /// `clock_mhz`: 1…100 000 (1 MHz to 100 GHz); `dram_gb_per_s`: 0.1…10⁶ (100 MB/s to
    /// 1 PB/s). The lower bounds keep DRAM bytes per cycle ≥ 10⁻⁶, so no transfer the
    /// limits allow takes more than 2⁶² cycles, and cycles → seconds stays finite
    /// (`clock_mhz: 1e-300` would report 10²⁹⁴ s).
    public static let clockMHz = 100_000.0
    public static let minClockMHz = 1.0
    public static let dramGBPerSecond = 1_000_000.0
    public static let minDramGBPerSecond = 0.1
    /// `sram_*_kb` (accelerator config) at least 1 kB: a smaller buffer holds no tile
    /// (`capacityBytes` would round a tiny positive size down to 0 bytes).
    public static let minSramKB = 1.0
    /// `energy_pj.*`: 0…10⁶ pJ per operation (1 µJ; a 16-bit MAC is ~1 pJ), so energy totals stay finite.
    public static let energyPJ = 1_000_000.0
    /// `word_bytes`: 64.
    public static let wordBytes = 64
    /// ViT shapes (`sim vitality`, `sim topology`): tokens n (a 128×128 patch grid + the
    /// class token), width C, heads, depth (the attention engine's limit), MLP ratio, image
    /// side and channels.
    public static let vitTokens = 128 * 128 + 1
    public static let vitWidth = 1 << 14
    public static let vitHeads = 1024
    public static let vitDepth = 4096
    public static let vitMLPRatio = 64
    public static let vitImage = 1 << 14
    public static let vitChannels = 4096
    /// Heads × layers the ViTALiTy model builds task graphs for: 4096 (DeiT-Base has 144).
    public static let vitHeadLayers = 4096
    /// Tasks the ViTALiTy model schedules in one run: 2¹⁷ (DeiT-Base end to end is 44 640,
    /// about 5 s); larger workloads are refused before scheduling (`--layers` simulates fewer).
    public static let vitTasks = 1 << 17
    /// Stationary SA tiles the ViTALiTy model stores over all tasks: 2²² (about 240 MB).
    public static let vitTiles = 1 << 22
    /// Demand rows the cycle-by-cycle demand simulation replays (folds × fold length): 2²⁴;
    /// and rows × array rows (each row counts its busy PEs row by row): 2²⁸, about a second.
    /// Larger GEMMs are answered by the closed form alone.
    public static let demandRows = 1 << 24
    public static let demandWork = 1 << 28
    /// PE-cycles (array PEs × cycles) the functional register-level array may take, and the
    /// operand elements it allocates (M·K + K·N + M·N): 2²⁸ and 2²⁴.
    public static let functionalPECycles = 1 << 28
    public static let functionalElements = 1 << 24

    /// Does a cycle-by-cycle replay of `plan` fit the demand-row limit?
    public static func demandSimulationFits(_ plan: FoldPlan) -> Bool {
        let (rows, overflow) = plan.foldCount.multipliedReportingOverflow(by: plan.foldLength)
        return !overflow && rows <= demandRows && rows * plan.array.rows <= demandWork
    }

    /// Does the functional array fit its limits for this GEMM?
    public static func functionalFits(_ plan: FoldPlan) -> Bool {
        let g = plan.gemm
        let elements = g.m * g.k + g.k * g.n + g.m * g.n
        let (cycles, o1) = plan.foldCount.multipliedReportingOverflow(by: plan.foldLength)
        let (peCycles, o2) = cycles.multipliedReportingOverflow(by: plan.array.pes)
        return !o1 && !o2 && elements <= functionalElements && peCycles <= functionalPECycles
    }

    /// The message for a value above its limit.
    public static func tooLarge(_ value: some BinaryInteger, _ limit: Int) -> String {
        "must be at most \(limit), got \(value)"
    }
}
