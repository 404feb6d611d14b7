#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import RetortCore
import TrainEngine

/// One full ViT training step (forward, cross-entropy with label smoothing 0.1, backward,
/// AdamW) on synthetic seeded images and labels — what `retort bench vit` times. The model,
/// initialisation and optimiser are those of `retort attention train` (`AttentionJob`: lr 2e-3,
/// weight decay 0.05); the data are N(0, 1) pixels and uniform labels, fixed per seed.
/// Never used by tests for timing (no timing assertions).
public final class ViTTrainBenchmark {
    public let config: ViTConfig
    public let kind: AttentionKind
    public let batch: Int
    public let model: VisionTransformer
    public let optimizer: AdamW
    let inputs: [Tensor]
    let labels: [[Int]]
    var cursor = 0

    public init(_ config: ViTConfig, kind: AttentionKind, batch: Int, seed: UInt64 = 1) {
        precondition(batch >= 1, "ViTTrainBenchmark: batch must be ≥ 1")
        self.config = config; self.kind = kind; self.batch = batch
        model = VisionTransformer(config, kind: kind, seed: seed)
        optimizer = AdamW(parameters: model.parameters, lr: 2e-3, weightDecay: 0.05)
        var rng = RNG(seed: seed &+ 0xB0A7)
        let shape = [batch] + model.inputShape
        inputs = (0..<2).map { _ in let t = Tensor(shape: shape); t.fillNormal(std: 1, rng: &rng); return t }
        labels = (0..<2).map { _ in (0..<batch).map { _ in rng.int(config.classes) } }
    }

    /// One training step; returns its loss.
    @discardableResult
    public func step() -> Float {
        let i = cursor % inputs.count
        cursor += 1
        optimizer.zeroGrad()
        let logits = model.forward(inputs[i], training: true)
        let (loss, grad) = crossEntropy(logits: logits, labels: labels[i], labelSmoothing: 0.1)
        model.backwardParameters(grad)
        optimizer.step()
        return loss
    }

    /// Median wall-clock seconds of `steps` timed steps after `warmup` untimed ones, and the
    /// median process CPU seconds of the same steps (all threads; on a loaded machine the CPU
    /// time moves less than the wall clock).
    public func medianSeconds(steps: Int, warmup: Int) -> (wall: Double, cpu: Double) {
        for _ in 0..<warmup { step() }
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<max(1, steps) {
            let c0 = Self.processCPUSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
            step()
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            cpu.append(Self.processCPUSeconds() - c0)
        }
        return (Self.median(wall), Self.median(cpu))
    }

    /// CPU time this process has used, all threads (CLOCK_PROCESS_CPUTIME_ID).
    public static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
