/// Energy per operation (pJ), spec vitality §5.1/§5.4. Assumed values from the spec's ranges until the paper's
/// numbers are available.
public struct EnergyTable: Sendable, Equatable {
    public var mac: Double, add: Double, mul: Double, div: Double, exp: Double
    public var sramReadPerWord: Double, sramWritePerWord: Double
    public var dramPerByte: Double
    public var staticPerCycle: Double
}
