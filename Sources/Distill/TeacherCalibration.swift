import Foundation
import RetortCore

/// The teacher's calibration on its held-out rows [R: Retort's redesign of the uncertainty
/// weighting]: at T = 1 the teacher's accuracy and mean top-class probability there, the
/// error rate the calibrated KD weights use, and (a diagnostic) the temperature that
/// minimises the held-out NLL (≥ 1; above 1 means over-confident on held-out data).
public struct TeacherCalibration: Codable, Sendable, Equatable {
    public var temperature = 1.0
    public var accuracy = Double.nan
    public var confidence = Double.nan
    /// Rows it was fitted on (0: not fitted yet).
    public var samples = 0

    /// The held-out error rate with a Laplace correction, (errors + 1)/(rows + 2): never 0,
    /// so a teacher that makes no held-out error still leaves a bound (1/2 before any fit).
    public var errorRate: Double {
        guard samples > 0, accuracy.isFinite else { return 0.5 }
        let errors = (Double(samples) * (1 - accuracy)).rounded()
        return (errors + 1) / (Double(samples) + 2)
    }

    public init() {}
    public init(temperature: Double, accuracy: Double, confidence: Double, samples: Int) {
        self.temperature = temperature; self.accuracy = accuracy; self.confidence = confidence; self.samples = samples
    }

    /// Fits the temperature on `logits`/`labels` and measures accuracy and confidence at T = 1.
    public static func fit(logits z: Tensor, labels: [Int]) -> TeacherCalibration {
        guard z.rows > 0 else { return TeacherCalibration() }
        let t = UncertaintyWeights.fitTemperature(logits: z, labels: labels)
        let p = UncertaintyWeights.softmaxRows(z)
        var correct = 0, conf = 0.0
        for (i, row) in p.enumerated() {
            let m = row.max() ?? 0
            conf += m
            if row.firstIndex(of: m) == labels[i] { correct += 1 }
        }
        return TeacherCalibration(temperature: t, accuracy: Double(correct) / Double(z.rows), confidence: conf / Double(z.rows), samples: z.rows)
    }

    /// The held-out rows: round(fraction × count) training rows drawn with a generator seeded
    /// from the split seed (so every seed and every condition of a comparison holds out the
    /// same rows), sorted. Empty for fraction 0.
    public static func rows(count n: Int, fraction: Float, seed: UInt64) -> [Int] {
        let k = min(n, Int((Double(fraction) * Double(n)).rounded()))
        guard k > 0 else { return [] }
        var rng = RNG(seed: seed &+ 0xCA1B)
        var all = Array(0..<n)
        for i in 0..<k {
            let j = i + Int(rng.next() % UInt64(n - i))
            all.swapAt(i, j)
        }
        return all[0..<k].sorted()
    }
}
