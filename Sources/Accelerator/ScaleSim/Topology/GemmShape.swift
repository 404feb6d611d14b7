/// A GEMM C[M×N] = A[M×K] · B[K×N] (the convention of every SCALE-Sim comparison).
public struct GemmShape: Hashable, Sendable, CustomStringConvertible {
    public var m: Int, k: Int, n: Int
    public init(m: Int, k: Int, n: Int) {
        precondition(m > 0 && k > 0 && n > 0, "GEMM dimensions must be positive")
        self.m = m; self.k = k; self.n = n
    }
    public var macs: Int { m * k * n }
    public var description: String { "\(m)×\(k)×\(n)" }
}
