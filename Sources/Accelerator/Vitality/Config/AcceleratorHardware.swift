/// The ViTALiTy accelerator's hardware parameters (spec vitality §4.1, §5.1, §5.4).
/// Defaults come from `configs/accelerator/vitality-default.json` (embedded in
/// `VitalityConfig.defaultJSON`; a test keeps the two identical).
public struct AcceleratorHardware: Sendable, Equatable {
    public var clockMHz: Double
    /// Independent sub-processors; heads are assigned round-robin.
    public var chunks: Int
    /// SA-General R×C; SA-Diag R×1.
    public var saRows: Int, saCols: Int, saDiagRows: Int
    public var accumulatorLanes: Int, adderLanes: Int, dividerLanes: Int, expLanes: Int
    /// Pipeline latency (cycles) of each pre/post-processor; all have initiation interval 1.
    public var accumulatorLatency: Int, adderLatency: Int, dividerLatency: Int, expLatency: Int
    /// Only a task's first stationary tile pays the R-cycle preload.
    public var saDoubleBuffered: Bool
    public var wordBytes: Int
    public var dramGBPerSecond: Double
    public var dramLatencyCycles: Int
    public var sramInputKB: Double, sramScratchKB: Double, sramOutputKB: Double, sramWeightKB: Double
    /// Softmax baseline: add a row-max pass and a subtraction pass.
    public var softmaxMaxSubtraction: Bool

    /// DRAM bytes per clock cycle.
    public var dramBytesPerCycle: Double { dramGBPerSecond * 1e9 / (clockMHz * 1e6) }

    public func capacityBytes(_ b: BufferKind) -> Int {
        let kb: Double
        switch b {
        case .input: kb = sramInputKB
        case .scratch: kb = sramScratchKB
        case .output: kb = sramOutputKB
        case .weight: kb = sramWeightKB
        }
        return Int(kb * 1024)
    }
}

/// On-chip SRAM buffers.
public enum BufferKind: String, CaseIterable, Sendable, Codable {
    /// Q/K/V of the heads in flight, or a GEMM's input activations.
    case input
    /// Intermediates: K̂, G, sums, T_N, t_D; the softmax attention map.
    case scratch
    /// Z or GEMM output blocks until they are stored to DRAM.
    case output
    /// Stationary weight tiles of the linear layers.
    case weight
}
