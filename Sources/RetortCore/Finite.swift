/// Cheap whole-tensor checks used by the divergence guard and the checkpoint writer.
public extension Tensor {
    /// True when no element is NaN or ±Inf (x·0 is 0 for finite x and NaN otherwise).
    var isAllFinite: Bool {
        var acc: Float = 0
        let p = data
        for i in 0..<count { acc += p[i] * 0 }
        return acc == 0
    }

    /// Σx² accumulated in Double (NaN or Inf when an element is).
    var sumOfSquares: Double {
        var s = 0.0
        let p = data
        for i in 0..<count { let v = Double(p[i]); s += v * v }
        return s
    }
}
