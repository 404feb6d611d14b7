/// A time series whose memory stays flat however long a run lasts: points are kept
/// in at most `capacity` buckets of (min, max, mean); when the buckets fill up,
/// neighbours merge and each bucket covers twice as many points.
public struct DownsampledSeries: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var x0: Double, x1: Double          // x range covered
        public var min: Double, max: Double, sum: Double, count: Int
        public var mean: Double { count > 0 ? sum / Double(count) : .nan }
    }
    public let name: String
    public let capacity: Int
    public private(set) var buckets: [Bucket] = []
    /// Points per bucket at the current resolution.
    public private(set) var span = 1
    public private(set) var total = 0
    public private(set) var last: Double = .nan

    public init(name: String, capacity: Int = 512) {
        precondition(capacity >= 2 && capacity % 2 == 0, "capacity must be even and ≥ 2")
        self.name = name; self.capacity = capacity
        buckets.reserveCapacity(capacity)
    }

    public mutating func append(x: Double, _ y: Double) {
        total += 1
        last = y
        guard y.isFinite else { return }
        if var b = buckets.last, b.count < span {
            b.x1 = x; b.min = Swift.min(b.min, y); b.max = Swift.max(b.max, y); b.sum += y; b.count += 1
            buckets[buckets.count - 1] = b
            return
        }
        if buckets.count == capacity { compact() }
        buckets.append(Bucket(x0: x, x1: x, min: y, max: y, sum: y, count: 1))
    }

    private mutating func compact() {
        var merged: [Bucket] = []
        merged.reserveCapacity(capacity)
        var i = 0
        while i + 1 < buckets.count {
            let a = buckets[i], b = buckets[i + 1]
            merged.append(Bucket(x0: a.x0, x1: b.x1, min: Swift.min(a.min, b.min), max: Swift.max(a.max, b.max),
                                 sum: a.sum + b.sum, count: a.count + b.count))
            i += 2
        }
        if i < buckets.count { merged.append(buckets[i]) }
        buckets = merged
        span *= 2
    }

    /// Forgets the points after `x` (a rollback): whole buckets only, so a bucket that
    /// straddles `x` stays as it is.
    public mutating func drop(after x: Double) {
        while let b = buckets.last, b.x0 > x { total -= b.count; buckets.removeLast() }
    }

    public var isEmpty: Bool { buckets.isEmpty }
    public var xRange: ClosedRange<Double>? { buckets.isEmpty ? nil : buckets.first!.x0...buckets.last!.x1 }
    public var yRange: ClosedRange<Double>? {
        guard let lo = buckets.map(\.min).min(), let hi = buckets.map(\.max).max() else { return nil }
        return lo...hi
    }
}
