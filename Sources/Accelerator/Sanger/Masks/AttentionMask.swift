/// A boolean n×n attention mask (kept score = true), one bit per entry, rows padded to
/// whole 64-bit words.
public struct AttentionMask: Sendable, Hashable {
    public let n: Int
    let stride: Int
    var bits: [UInt64]

    public init(n: Int) {
        precondition(n >= 1, "AttentionMask: n must be ≥ 1")
        self.n = n; stride = (n + 63) / 64
        bits = [UInt64](repeating: 0, count: n * stride)
    }

    /// The mask of `keep(i, j)` over every entry.
    public init(n: Int, keep: (Int, Int) -> Bool) {
        self.init(n: n)
        for i in 0..<n { for j in 0..<n where keep(i, j) { self[i, j] = true } }
    }

    public subscript(i: Int, j: Int) -> Bool {
        get { bits[i * stride + j >> 6] >> UInt64(j & 63) & 1 == 1 }
        set {
            let w = i * stride + j >> 6, b = UInt64(1) << UInt64(j & 63)
            if newValue { bits[w] |= b } else { bits[w] &= ~b }
        }
    }

    /// Kept entries of row i in columns lo..<hi.
    public func kept(row i: Int, columns r: Range<Int>) -> Int {
        var c = 0, j = r.lowerBound
        while j < r.upperBound {
            let w = bits[i * stride + j >> 6] >> UInt64(j & 63)
            let take = min(64 - (j & 63), r.upperBound - j)
            c += (take == 64 ? w : w & ((UInt64(1) << UInt64(take)) - 1)).nonzeroBitCount
            j += take
        }
        return c
    }

    public func kept(row i: Int) -> Int { kept(row: i, columns: 0..<n) }
    public var kept: Int { bits.reduce(0) { $0 + $1.nonzeroBitCount } }
    /// Kept / all entries.
    public var density: Double { Double(kept) / Double(n * n) }

    /// The same mask at another size: entry (i, j) of the result is entry
    /// (⌊i·n/size⌋, ⌊j·n/size⌋) of this one (nearest neighbour; keeps density and row skew).
    public func resampled(to size: Int) -> AttentionMask {
        guard size != n else { return self }
        return AttentionMask(n: size) { i, j in self[i * n / size, j * n / size] }
    }
}
