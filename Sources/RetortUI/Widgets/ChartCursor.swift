import Foundation

/// A position on a chart's x axis moved with keys, and the values of the series there.
public enum ChartCursor {
    /// Steps across the x range: position `positions` is the newest point, 0 the oldest.
    public static let positions = 50

    /// The x of `position` on [x0, x1].
    public static func x(_ position: Int, in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(min(max(0, position), positions)) / Double(positions)
    }

    /// The point of `points` nearest to `x` (nil: none).
    public static func nearest(_ points: [ChartSeries.Point], to x: Double) -> ChartSeries.Point? {
        points.min { abs($0.x - x) < abs($1.x - x) }
    }
}
