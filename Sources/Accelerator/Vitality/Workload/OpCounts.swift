/// Operation and data-movement counts (per task, per unit, or per run).
public struct OpCounts: Sendable, Hashable {
    public var macs = 0, adds = 0, muls = 0, divs = 0, exps = 0
    /// Low-precision MACs (Sanger's 4-bit prediction pass), priced separately.
    public var lowMacs = 0
    /// SRAM words read / written.
    public var sramReads = 0, sramWrites = 0
    public var dramReadBytes = 0, dramWriteBytes = 0

    public init(macs: Int = 0, adds: Int = 0, muls: Int = 0, divs: Int = 0, exps: Int = 0,
                sramReads: Int = 0, sramWrites: Int = 0, dramReadBytes: Int = 0, dramWriteBytes: Int = 0, lowMacs: Int = 0) {
        self.macs = macs; self.lowMacs = lowMacs; self.adds = adds; self.muls = muls; self.divs = divs; self.exps = exps
        self.sramReads = sramReads; self.sramWrites = sramWrites
        self.dramReadBytes = dramReadBytes; self.dramWriteBytes = dramWriteBytes
    }

    public static func + (a: OpCounts, b: OpCounts) -> OpCounts {
        OpCounts(macs: a.macs + b.macs, adds: a.adds + b.adds, muls: a.muls + b.muls, divs: a.divs + b.divs,
                 exps: a.exps + b.exps, sramReads: a.sramReads + b.sramReads, sramWrites: a.sramWrites + b.sramWrites,
                 dramReadBytes: a.dramReadBytes + b.dramReadBytes, dramWriteBytes: a.dramWriteBytes + b.dramWriteBytes,
                 lowMacs: a.lowMacs + b.lowMacs)
    }
    public static func += (a: inout OpCounts, b: OpCounts) { a = a + b }
}
