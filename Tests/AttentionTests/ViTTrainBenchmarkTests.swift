import Attention
import Foundation
import RetortCore
import XCTest

final class ViTTrainBenchmarkTests: XCTestCase {
    static let small = ViTConfig(name: "bench-test", imageSize: 8, patchSize: 2, width: 32, heads: 4, depth: 2, mlpRatio: 2)

    /// The profiled step makes the same calls as VisionTransformer.forward/backward: from the
    /// same seed it gives the same loss and, after AdamW, the same weights as a plain step.
    func testProfiledStepMatchesThePlainStep() {
        Threads.set(1)
        for kind in [AttentionKind.softmax, .taylor] {
            let plain = ViTTrainBenchmark(Self.small, kind: kind, batch: 4, seed: 5)
            let profiled = ViTTrainBenchmark(Self.small, kind: kind, batch: 4, seed: 5)
            for _ in 0..<3 {
                let a = plain.step()
                let (b, parts, cpu) = profiled.profiledStep()
                XCTAssertEqual(a, b, "\(kind): loss")
                XCTAssertEqual(Set(parts.keys), Set(ViTStepPart.allCases), "\(kind): every part is timed")
                XCTAssertEqual(Set(cpu.keys), Set(ViTStepPart.allCases), "\(kind): every part has a CPU time")
            }
            for (p, q) in zip(plain.model.parameters, profiled.model.parameters) {
                XCTAssertEqual(p.value.array, q.value.array, "\(kind): \(p.name) after three steps")
            }
        }
    }

    /// Training steps on the fixed synthetic batches lower the loss (the step really updates).
    func testStepsLowerTheLoss() {
        Threads.set(1)
        let b = ViTTrainBenchmark(Self.small, kind: .taylor, batch: 8, seed: 2)
        let first = b.step()
        var last = first
        for _ in 0..<30 { last = b.step() }
        XCTAssertLessThan(last, first)
        XCTAssertEqual(ViTTrainBenchmark.median([3, 1, 2]), 2)
        XCTAssertEqual(ViTTrainBenchmark.median([4, 1, 2, 3]), 2.5)
    }
}
