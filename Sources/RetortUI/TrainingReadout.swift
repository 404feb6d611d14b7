import Foundation
import Workbench

/// The Training tab's curves as drawn (after zoom) and what the chart cursor reads off them:
/// the step under the cursor and each curve's value there, for the chart titles.
struct TrainingReadout {
    var step: [ChartSeries.Point], trainLoss: [ChartSeries.Point], testLoss: [ChartSeries.Point]
    var trainAccuracy: [ChartSeries.Point], testAccuracy: [ChartSeries.Point]
    var lr: [ChartSeries.Point], grad: [ChartSeries.Point]
    /// The cursor's x (a step), nil when the cursor is off or there is nothing to read.
    var x: Double?

    init(_ t: TrainingSnapshot, cursor: Int?, from: Double, points: (DownsampledSeries) -> [ChartSeries.Point]) {
        step = points(t.stepLoss); trainLoss = points(t.trainLoss); testLoss = points(t.testLoss)
        trainAccuracy = points(t.trainAccuracy); testAccuracy = points(t.testAccuracy)
        lr = points(t.lrCurve); grad = points(t.gradientNorm)
        let xs = (step + trainLoss + testLoss).map(\.x)
        if let c = cursor, let lo = xs.min(), let hi = xs.max() { x = ChartCursor.x(c, in: lo...hi) } else { x = nil }
    }

    /// The curve's value as of the cursor (its last point at or before it), or "–" when it
    /// has none yet there.
    private func at(_ p: [ChartSeries.Point], _ f: (Double) -> String) -> String {
        guard let x, let n = ChartCursor.latest(p, atOrBefore: x) else { return "–" }
        return f(n.mean)
    }
    private static func num(_ v: Double) -> String { String(format: "%.4g", v) }
    private static func pct(_ v: Double) -> String { String(format: "%.2f%%", 100 * v) }
    private var stepText: String { x.map { "step \(Int($0.rounded()))" } ?? "" }

    var lossTitle: String {
        guard x != nil else { return "" }
        return " · \(stepText): step \(at(step, Self.num)) train \(at(trainLoss, Self.num)) test \(at(testLoss, Self.num))"
    }
    var accuracyTitle: String {
        guard x != nil else { return "" }
        return " · \(stepText): train \(at(trainAccuracy, Self.pct)) test \(at(testAccuracy, Self.pct))"
    }
    var lrTitle: String { x == nil ? "" : " · \(stepText): \(at(lr, Self.num))" }
    var gradTitle: String { x == nil ? "" : " · \(stepText): \(at(grad, Self.num))" }
}
