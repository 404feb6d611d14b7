import Accelerator
import XCTest

/// `WorkloadSize` bounds the task graph from above without building it (the guard of
/// `sim vitality` against absurd ViT shapes), and not by much.
final class WorkloadSizeTests: XCTestCase {
    func testBoundsTheBuiltGraph() {
        let hw = VitalityConfig.defaults().hardware
        let models = [ViTModel.deitTiny, ViTModel.mnistViT,
                      ViTModel(name: "odd", tokens: 130, embed: 96, heads: 3, layers: 2, mlpRatio: 3),
                      ViTModel(name: "wide", tokens: 65, embed: 512, heads: 2, layers: 1, mlpRatio: 4)]
        for m in models {
            for kind in AttentionKind.allCases {
                for linear in [false, true] {
                    let w = AcceleratorWorkload(model: m, attention: kind, includeLinear: linear)
                    let g = TaskGraph.build(w, hardware: hw)
                    let tiles = g.tasks.reduce(0) { $0 + ($1.sa?.tiles.count ?? 0) }
                    let est = WorkloadSize(w, hardware: hw)
                    let label = "\(m.name) \(kind) linear \(linear)"
                    XCTAssertGreaterThanOrEqual(est.tasks, g.tasks.count, label)
                    XCTAssertLessThanOrEqual(est.tasks, 2 * g.tasks.count, label)
                    XCTAssertGreaterThanOrEqual(est.tiles, tiles, label)
                    XCTAssertLessThanOrEqual(est.tiles, 2 * tiles, label)
                }
            }
        }
    }
}
