import Foundation
import RetortCore

/// Per-epoch instrumentation of the student [R: Retort's diagnostics, used to find why a
/// student collapses; see docs/distill.md]:
/// - dead units: student hidden units whose bias received exactly zero student gradient in
///   every step of the epoch (a ReLU unit inactive on every training sample it saw). MLP:
///   the hidden layers' biases; CNN: the channels of every BatchNorm followed by ReLU6
///   (all but the blocks' `project_bn`).
/// - KD gradient share: per step ‖λ·∂KD/∂z_s‖ / (‖∂CE/∂z_s‖ + ‖λ·∂KD/∂z_s‖) on the student's
///   logits, averaged over the epoch's KD steps.
struct StudentDiagnostics: Codable, Sendable, Equatable {
    /// Tensor index and student width of every tracked bias.
    let tracked: [TrackedBias]
    /// Per tracked unit (in `tracked` order): a nonzero gradient this epoch.
    var alive: [Bool]
    var kdShareSum = 0.0, kdShareSteps = 0

    /// Per tracked unit: alive in the previous epoch (nil before the first epoch ended).
    var aliveBefore: [Bool]?

    struct TrackedBias: Codable, Sendable, Equatable { let tensor: Int; let name: String; let units: Int }

    init(layout: SharedLayout) {
        var t: [TrackedBias] = []
        for (i, n) in layout.names.enumerated() where layout.shapes[i].count == 1 && n.hasSuffix(".bias")
            && n != "classifier.bias" && !n.hasSuffix("project_bn.bias") {
            t.append(TrackedBias(tensor: i, name: n, units: layout.extents[i][0]))
        }
        tracked = t
        alive = Array(repeating: false, count: t.reduce(0) { $0 + $1.units })
    }

    var unitCount: Int { alive.count }

    /// The units that died (no gradient this epoch, some in the previous one) and those that
    /// came back, as "fc2.bias[1]"; then remembers this epoch's state.
    mutating func endEpoch() -> (died: [String], revived: [String]) {
        var died: [String] = [], revived: [String] = []
        if let before = aliveBefore {
            var k = 0
            for b in tracked {
                for j in 0..<b.units {
                    if before[k] && !alive[k] { died.append("\(b.name)[\(j)]") }
                    if !before[k] && alive[k] { revived.append("\(b.name)[\(j)]") }
                    k += 1
                }
            }
        }
        aliveBefore = alive
        return (died, revived)
    }

    mutating func startEpoch() {
        alive = Array(repeating: false, count: alive.count)
        kdShareSum = 0; kdShareSteps = 0
    }

    /// The tracked units whose bias gradient in the student's buffers `gs` is nonzero.
    func liveUnits(studentGradient gs: [Tensor]) -> [Int] {
        var k = 0, live: [Int] = []
        for b in tracked {
            let g = gs[b.tensor].data
            for j in 0..<b.units {
                if g[j] != 0 { live.append(k) }
                k += 1
            }
        }
        return live
    }

    /// Counts a finished step: its live units and its KD gradient share (NaN: no KD).
    mutating func add(live: [Int], kdShare: Double) {
        for k in live { alive[k] = true }
        guard kdShare.isFinite else { return }
        kdShareSum += kdShare; kdShareSteps += 1
    }

    /// Fraction of tracked units dead this epoch (NaN when none are tracked).
    var deadFraction: Double { alive.isEmpty ? .nan : Double(alive.count(where: { !$0 })) / Double(alive.count) }
    var meanKDShare: Double { kdShareSteps > 0 ? kdShareSum / Double(kdShareSteps) : .nan }

    /// ‖kd‖ / (‖ce‖ + ‖kd‖) of two logit gradients (NaN when both are zero).
    static func share(ce: Tensor, kd: Tensor, lambda: Float) -> Double {
        var a = 0.0, b = 0.0
        for i in 0..<ce.count { a += Double(ce.data[i]) * Double(ce.data[i]) }
        for i in 0..<kd.count { let v = Double(lambda) * Double(kd.data[i]); b += v * v }
        let na = a.squareRoot(), nb = b.squareRoot()
        return na + nb > 0 ? nb / (na + nb) : .nan
    }
}
