/// The SRAM demand of one fold row (spec scalesim §3.2), per operand stream: the ports
/// `lo...hi` are active and port p reads/writes address `base + p·stride`; every other
/// port is idle (−1 in SCALE-Sim's traces). Each stream's addresses are an arithmetic
/// progression over its active ports, so a row is described in O(1).
public struct PortWindow: Sendable, Hashable {
    public var lo: Int, hi: Int, base: Int, stride: Int
    public static let idle = PortWindow(lo: 0, hi: -1, base: 0, stride: 0)
    public var count: Int { max(0, hi - lo + 1) }
    @inline(__always) public func address(_ port: Int) -> Int { base + port * stride }
    /// The full row of `ports` entries, −1 where idle (the trace format).
    public func row(ports: Int) -> [Int] {
        var r = [Int](repeating: -1, count: ports)
        if count > 0 { for p in lo...hi { r[p] = address(p) } }
        return r
    }
}

/// SCALE-Sim's operand address spaces for a GEMM: A[m][k] at `ifmapOffset + m·K + k`,
/// B[k][n] at `filterOffset + n·K + k`, C[m][n] at `ofmapOffset + m·N + n`.
public struct OperandOffsets: Sendable, Hashable {
    public var ifmap: Int, filter: Int, ofmap: Int
    public init(ifmap: Int = 0, filter: Int = 10_000_000, ofmap: Int = 20_000_000) {
        self.ifmap = ifmap; self.filter = filter; self.ofmap = ofmap
    }
}

/// The demand rows of SCALE-Sim's three demand matrices, computed per row instead of
/// materialised: ifmap / filter / ofmap windows for local row `i` of a fold.
/// Port counts: OS and WS have R ifmap, C filter, C ofmap ports; IS has C ifmap
/// (stationary inputs), R filter (streamed) and C ofmap ports.
public struct DemandLayout: Sendable {
    public let plan: FoldPlan
    public let offsets: OperandOffsets

    public init(plan: FoldPlan, offsets: OperandOffsets = OperandOffsets()) {
        self.plan = plan; self.offsets = offsets
    }

    public var ifmapPorts: Int { plan.dataflow == .inputStationary ? plan.array.cols : plan.array.rows }
    public var filterPorts: Int { plan.dataflow == .inputStationary ? plan.array.rows : plan.array.cols }
    public var ofmapPorts: Int { plan.array.cols }

    /// (ifmap, filter, ofmap) windows of row `i` (0 ≤ i < foldLength) of `fold`.
    @inline(__always)
    public func windows(_ f: FoldPlan.Fold, row i: Int) -> (PortWindow, PortWindow, PortWindow) {
        let R = plan.array.rows, T = plan.t, K = plan.gemm.k, N = plan.gemm.n
        let ru = f.rowsUsed, cu = f.colsUsed
        switch plan.dataflow {
        case .outputStationary:
            let m0 = f.srStart, n0 = f.scStart
            let a = PortWindow(lo: max(0, i - T + 1), hi: min(ru - 1, i),
                               base: offsets.ifmap + m0 * K + i, stride: K - 1)
            let b = PortWindow(lo: max(0, i - T + 1), hi: min(cu - 1, i),
                               base: offsets.filter + n0 * K + i, stride: K - 1)
            // ofmap rows are written bottom tile row first: row j of the flipped tile at i = T−1+j+c
            let c = PortWindow(lo: max(0, i - (T - 1) - (R - 1)), hi: min(cu - 1, i - (T - 1) - (R - ru)),
                               base: offsets.ofmap + (m0 + R + T - 2 - i) * N + n0, stride: N + 1)
            return (a, b, c)
        case .weightStationary:
            let k0 = f.srStart, n0 = f.scStart
            let a = PortWindow(lo: max(0, i - R - T + 1), hi: min(ru - 1, i - R),
                               base: offsets.ifmap + (i - R) * K + k0, stride: 1 - K)
            let b = (i < R && R - 1 - i < ru)
                ? PortWindow(lo: 0, hi: cu - 1, base: offsets.filter + n0 * K + k0 + R - 1 - i, stride: K)
                : .idle
            let c = PortWindow(lo: max(0, i - 2 * R + 1 - T + 1), hi: min(cu - 1, i - 2 * R + 1),
                               base: offsets.ofmap + (i - 2 * R + 1) * N + n0, stride: 1 - N)
            return (a, b, c)
        case .inputStationary:
            let k0 = f.srStart, m0 = f.scStart
            let a = (i < R && R - 1 - i < ru)
                ? PortWindow(lo: 0, hi: cu - 1, base: offsets.ifmap + m0 * K + k0 + R - 1 - i, stride: K)
                : .idle
            let b = PortWindow(lo: max(0, i - R - T + 1), hi: min(ru - 1, i - R),
                               base: offsets.filter + (i - R) * K + k0, stride: 1 - K)
            let c = PortWindow(lo: max(0, i - 2 * R + 1 - T + 1), hi: min(cu - 1, i - 2 * R + 1),
                               base: offsets.ofmap + m0 * N + i - 2 * R + 1, stride: N - 1)
            return (a, b, c)
        }
    }
}
