/// Dense softmax, Sanger and ViTALiTy's Taylor attention on the same hardware.
public struct ThreeWayComparison: Sendable {
    public var softmax: AcceleratorReport
    public var sanger: AcceleratorReport
    public var taylor: AcceleratorReport
    /// The masks Sanger ran with.
    public var sparsity: SangerWorkload

    /// The paper's headline [P]: ViTALiTy "3× faster and 3× energy-efficient … with respect to the
    /// state-of-the-art solution" (abstract), taken to be Sanger end to end (spec vitality §4.3).
    public static let paperSpeedup = 3.0, paperEnergyRatio = 3.0

    public init(softmax: AcceleratorReport, sanger: AcceleratorReport, taylor: AcceleratorReport, sparsity: SangerWorkload) {
        self.softmax = softmax; self.sanger = sanger; self.taylor = taylor; self.sparsity = sparsity
    }

    public static func run(model: ViTModel, includeLinear: Bool = false, layers: Int? = nil,
                           config: VitalityConfig = .defaults(), sanger: SangerWorkload) throws -> ThreeWayComparison {
        func report(_ k: AttentionKind) throws -> AcceleratorReport {
            try AcceleratorSimulation(workload: AcceleratorWorkload(model: model, attention: k, includeLinear: includeLinear, layers: layers,
                                                                    sanger: k == .sanger ? sanger : nil), config: config).report()
        }
        return ThreeWayComparison(softmax: try report(.softmax), sanger: try report(.sanger), taylor: try report(.taylor), sparsity: sanger)
    }

    /// Pack-and-split statistics over the simulated layers and heads.
    public var stats: PackSplitStats { sparsity.total(layers: sanger.workload.layerCount, heads: sanger.workload.model.heads) }
    /// Sanger cycles / Taylor cycles.
    public var taylorSpeedupOverSanger: Double { Double(sanger.totalCycles) / Double(taylor.totalCycles) }
    public var taylorEnergyOverSanger: Double { sanger.totalEnergyPJ / taylor.totalEnergyPJ }
    /// softmax cycles / Sanger cycles.
    public var sangerSpeedupOverSoftmax: Double { Double(softmax.totalCycles) / Double(sanger.totalCycles) }

    /// Busy share of one unit kind (summed over chunks) in a report.
    public static func utilisation(_ r: AcceleratorReport, _ k: UnitKind) -> Double? {
        let us = r.units.filter { $0.unit.kind == k }
        guard !us.isEmpty else { return nil }
        let total = us.reduce(0) { $0 + $1.total }
        return total > 0 ? Double(us.reduce(0) { $0 + $1.busy }) / Double(total) : 0
    }
}
