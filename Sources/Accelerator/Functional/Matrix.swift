/// A small dense row-major matrix of Doubles for the functional (value-level) simulations.
public struct Matrix: Sendable, Equatable {
    public let rows: Int, cols: Int
    public var data: [Double]

    public init(rows: Int, cols: Int, data: [Double]) {
        precondition(data.count == rows * cols, "matrix data size mismatch")
        self.rows = rows; self.cols = cols; self.data = data
    }
    public init(rows: Int, cols: Int, value: Double = 0) {
        self.init(rows: rows, cols: cols, data: [Double](repeating: value, count: rows * cols))
    }
    public subscript(r: Int, c: Int) -> Double {
        get { data[r * cols + c] }
        set { data[r * cols + c] = newValue }
    }
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { t[c, r] = self[r, c] } }
        return t
    }
    /// Reference product (plain triple loop, k innermost in a fixed order).
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.cols == b.rows, "matrix product dimension mismatch")
        var c = Matrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows { for j in 0..<b.cols {
            var s = 0.0
            for k in 0..<a.cols { s += a[i, k] * b[k, j] }
            c[i, j] = s
        } }
        return c
    }
    /// Largest absolute element difference.
    public func maxAbsDifference(_ o: Matrix) -> Double {
        precondition(rows == o.rows && cols == o.cols, "shape mismatch")
        var m = 0.0
        for i in data.indices { m = max(m, abs(data[i] - o.data[i])) }
        return m
    }
}

/// A small deterministic generator (SplitMix64) so the accelerator tests need no other module.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Matrix {
    /// Uniform values in [lo, hi).
    public static func random(rows: Int, cols: Int, in range: Range<Double> = -1..<1, seed: UInt64) -> Matrix {
        var g = SplitMix64(seed: seed)
        return Matrix(rows: rows, cols: cols, data: (0..<(rows * cols)).map { _ in Double.random(in: range, using: &g) })
    }
}
