import Foundation

/// Bucketed per-unit utilisation over time.
public struct UtilisationTimeline: Sendable {
    public var bucketCycles: Int
    public var totalCycles: Int
    public var units: [UnitID]
    /// busy[bucket][unit] in 0…1.
    public var busy: [[Double]]

    public static func csvHeader(units: [UnitID]) -> String {
        "attention,bucket_start,bucket_end," + units.map { $0.description }.joined(separator: ",")
    }

    /// Rows `attention,start,end,<busy fraction per unit>` (no header).
    public func csvRows(label: String) -> [String] {
        busy.enumerated().map { b, row in
            "\(label),\(b * bucketCycles),\(min(totalCycles, (b + 1) * bucketCycles))," +
                row.map { String(format: "%.4f", $0) }.joined(separator: ",")
        }
    }
}

extension AcceleratorSimulation {
    /// Per-unit busy fraction in buckets of `bucketCycles` (runs the scheduler to the end).
    public func timeline(bucketCycles: Int) throws -> UtilisationTimeline {
        try prepare()
        let total = engine.finishedAt!, w = max(1, bucketCycles)
        let nb = max(1, (total + w - 1) / w)
        var busy = [[Double]](repeating: [Double](repeating: 0, count: graph.units.count), count: nb)
        for (u, segs) in engine.segments.enumerated() {
            for (k, s) in segs.enumerated() where s.state == .busy && s.start < total {
                var a = s.start
                let e = k + 1 < segs.count ? min(segs[k + 1].start, total) : total
                while a < e {
                    let b = a / w, bEnd = min(e, (b + 1) * w)
                    busy[b][u] += Double(bEnd - a)
                    a = bEnd
                }
            }
        }
        for b in 0..<nb {
            let width = Double(min(total, (b + 1) * w) - b * w)
            for u in busy[b].indices { busy[b][u] /= width }
        }
        return UtilisationTimeline(bucketCycles: w, totalCycles: total, units: graph.units, busy: busy)
    }
}
