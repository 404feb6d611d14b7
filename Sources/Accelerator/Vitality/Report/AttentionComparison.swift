/// Taylor against softmax on the same hardware.
public struct AttentionComparison: Sendable {
    public var taylor: AcceleratorReport
    public var softmax: AcceleratorReport
    public init(taylor: AcceleratorReport, softmax: AcceleratorReport) { self.taylor = taylor; self.softmax = softmax }

    /// softmax cycles / Taylor cycles.
    public var speedup: Double { Double(softmax.totalCycles) / Double(taylor.totalCycles) }
    /// softmax energy / Taylor energy.
    public var energyRatio: Double { softmax.totalEnergyPJ / taylor.totalEnergyPJ }

    public static func run(model: ViTModel, includeLinear: Bool = false, layers: Int? = nil,
                           config: VitalityConfig = .defaults()) throws -> AttentionComparison {
        let t = AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: .taylor, includeLinear: includeLinear, layers: layers), config: config)
        let s = AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: .softmax, includeLinear: includeLinear, layers: layers), config: config)
        return AttentionComparison(taylor: try t.report(), softmax: try s.report())
    }
}
