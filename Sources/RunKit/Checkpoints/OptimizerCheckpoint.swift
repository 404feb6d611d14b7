import RetortCore

/// The optimiser's part of a checkpoint, shared by the three engines: SGD momentum buffers
/// (`sgd.momentum/NAME`, only those that exist yet) or AdamW moments (`adamw.m/NAME`,
/// `adamw.v/NAME`; the step count is in the job's JSON state).
public enum OptimizerCheckpoint {
    public static func tensors(_ optimizer: Optimizer) -> [(name: String, tensor: Tensor)] {
        var t: [(name: String, tensor: Tensor)] = []
        if let sgd = optimizer as? SGD {
            for (p, b) in zip(sgd.parameters, sgd.momentumBuffers) { if let b { t.append(("sgd.momentum/\(p.name)", b)) } }
        } else if let adam = optimizer as? AdamW {
            for (i, p) in adam.parameters.enumerated() {
                t.append(("adamw.m/\(p.name)", adam.firstMoments[i])); t.append(("adamw.v/\(p.name)", adam.secondMoments[i]))
            }
        }
        return t
    }

    /// Checks the optimiser tensors of a checkpoint against `optimizer` (throwing `bad(why)`
    /// for a missing or misshapen one) and returns what puts them in place — called only
    /// once everything else in the checkpoint has been checked too.
    public static func prepareRestore(_ optimizer: Optimizer, from tensors: [String: Tensor], stepCount: Int,
                                      bad: (String) -> Error) throws -> () -> Void {
        if let sgd = optimizer as? SGD {
            var momentum: [Tensor?] = []
            for p in sgd.parameters {
                let m = tensors["sgd.momentum/\(p.name)"]
                guard m == nil || m!.shape == p.shape else { throw bad("momentum of \(p.name) has the wrong shape") }
                momentum.append(m)
            }
            return { sgd.restore(momentumBuffers: momentum) }
        }
        if let adam = optimizer as? AdamW {
            var copies: [(Tensor, Tensor)] = []
            for (i, p) in adam.parameters.enumerated() {
                guard let m = tensors["adamw.m/\(p.name)"], let v = tensors["adamw.v/\(p.name)"],
                      m.shape == p.shape, v.shape == p.shape else { throw bad("AdamW moments of \(p.name) are missing or malformed") }
                copies.append((adam.firstMoments[i], m)); copies.append((adam.secondMoments[i], v))
            }
            return {
                for (dst, src) in copies { dst.copy(from: src) }
                adam.restore(stepCount: stepCount)
            }
        }
        return {}
    }
}
