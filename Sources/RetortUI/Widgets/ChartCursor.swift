import Foundation

/// A position on a chart's x axis moved with keys, and the values of the series there.
public enum ChartCursor {
    /// Steps across the x range: position `positions` is the newest point, 0 the oldest.
    public static let positions = 50

    /// The x of `position` on [x0, x1].
    public static func x(_ position: Int, in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(min(max(0, position), positions)) / Double(positions)
    }

    /// The last point of `points` (in x order) at or before `x` (nil: none yet).
    public static func latest(_ points: [ChartSeries.Point], atOrBefore x: Double) -> ChartSeries.Point? {
        points.last { $0.x <= x + 1e-9 }
    }
}
