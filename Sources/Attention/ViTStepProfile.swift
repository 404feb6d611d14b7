import Dispatch
import RetortCore

/// Where a ViT training step spends its time, forward and backward together.
public enum ViTStepPart: String, CaseIterable, Sendable {
    case patchEmbed = "patch embed"
    case layerNorm = "LayerNorm"
    case qkvProj = "qkv + proj"
    case attention = "attention core"
    case mlp = "MLP fc1 + fc2"
    case gelu = "GELU"
    case residual = "residual adds"
    case headLoss = "head + loss"
    case adamW = "AdamW"
}

extension ViTTrainBenchmark {
    /// One training step with every part timed: the same calls, in the same order, as
    /// `VisionTransformer.forward`/`backward`, made part by part on the model's public layers
    /// (the unit tests check it computes the same loss and gradients). Returns the loss and
    /// wall-clock and process CPU seconds per part (on a loaded machine the wall clock of a
    /// short part also holds the time the process was descheduled; the CPU time does not).
    public func profiledStep() -> (loss: Float, seconds: [ViTStepPart: Double], cpuSeconds: [ViTStepPart: Double]) {
        var t: [ViTStepPart: Double] = [:], cpu: [ViTStepPart: Double] = [:]
        func timed<R>(_ part: ViTStepPart, _ body: () -> R) -> R {
            let c0 = Self.processCPUSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
            let r = body()
            t[part, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            cpu[part, default: 0] += Self.processCPUSeconds() - c0
            return r
        }
        let m = model, c = config.width, n = config.tokens
        let i = cursor % 2
        let x = inputs[i], y = labels[i]
        cursor += 1
        timed(.adamW) { optimizer.zeroGrad() }
        let b = x.dim(0)
        var h = timed(.patchEmbed) { () -> Tensor in
            let pe = m.patchEmbed.forward(x, training: true)
            let tok = Tensor(uninitializedShape: [b, n, c])
            let pos = m.posEmbed.value.data, cls = m.clsToken.value.data
            for k in 0..<b {
                let dst = tok.data + k * n * c
                for j in 0..<c { dst[j] = cls[j] + pos[j] }
                Elementwise.add((n - 1) * c, pe.data + k * (n - 1) * c, pos + c, into: dst + c)
            }
            return tok
        }
        for blk in m.blocks {
            let a1 = timed(.layerNorm) { blk.norm1.forward(h, training: true) }
            let q = timed(.qkvProj) { blk.attn.qkv.forward(a1, training: true) }
            let z = timed(.attention) { blk.attn.core.forward(q, training: true) }
            let a = timed(.qkvProj) { blk.attn.proj.forward(z, training: true) }
            let x1 = timed(.residual) { Elementwise.add(h, a) }
            let a2 = timed(.layerNorm) { blk.norm2.forward(x1, training: true) }
            let f1 = timed(.mlp) { blk.fc1.forward(a2, training: true) }
            let g = timed(.gelu) { blk.gelu.forward(f1, training: true) }
            let mo = timed(.mlp) { blk.fc2.forward(g, training: true) }
            timed(.residual) { Elementwise.add(mo, into: x1) }
            h = x1
        }
        let clsRows = Tensor(uninitializedShape: [b, c])
        for k in 0..<b { (clsRows.data + k * c).update(from: h.data + k * n * c, count: c) }
        let normed = timed(.layerNorm) { m.norm.forward(clsRows, training: true) }
        let (loss, grad) = timed(.headLoss) { () -> (Float, Tensor) in
            let logits = m.head.forward(normed, training: true)
            return crossEntropy(logits: logits, labels: y, labelSmoothing: 0.1)
        }
        let dhead = timed(.headLoss) { m.head.backward(grad) }
        let dcls = timed(.layerNorm) { m.norm.backward(dhead) }
        var dt = Tensor(shape: [b, n, c])
        for k in 0..<b { (dt.data + k * n * c).update(from: dcls.data + k * c, count: c) }
        for blk in m.blocks.reversed() {
            let dg = timed(.mlp) { blk.fc2.backward(dt) }
            let df = timed(.gelu) { blk.gelu.backward(dg) }
            let dm = timed(.mlp) { blk.fc1.backward(df) }
            let dx1 = timed(.layerNorm) { blk.norm2.backward(dm) }
            timed(.residual) { Elementwise.add(dt, into: dx1) }
            let dz = timed(.qkvProj) { blk.attn.proj.backward(dx1) }
            let dq = timed(.attention) { blk.attn.core.backward(dz) }
            let da = timed(.qkvProj) { blk.attn.qkv.backward(dq) }
            let dx = timed(.layerNorm) { blk.norm1.backward(da) }
            timed(.residual) { Elementwise.add(dx1, into: dx) }
            dt = dx
        }
        timed(.patchEmbed) { m.patchEmbed.backwardParameters(m.backwardEmbeddings(dt)) }
        timed(.adamW) { optimizer.step() }
        return (loss, t, cpu)
    }

    /// Per-part medians (wall clock, CPU) over `steps` profiled steps after `warmup` plain ones.
    public func profile(steps: Int, warmup: Int) -> [ViTStepPart: (wall: Double, cpu: Double)] {
        for _ in 0..<warmup { step() }
        var runs: [(wall: [ViTStepPart: Double], cpu: [ViTStepPart: Double])] = []
        for _ in 0..<max(1, steps) { let r = profiledStep(); runs.append((r.seconds, r.cpuSeconds)) }
        var out: [ViTStepPart: (wall: Double, cpu: Double)] = [:]
        for p in ViTStepPart.allCases { out[p] = (Self.median(runs.map { $0.wall[p] ?? 0 }), Self.median(runs.map { $0.cpu[p] ?? 0 })) }
        return out
    }
}
