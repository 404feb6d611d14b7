import Attention
import Foundation
import RetortTestSupport
import Workbench
import XCTest

/// The Attention tab's queue takes the ViT shape as option `vit` (the `--vit` text).
final class AttentionQueueSpecTests: XCTestCase {
    func testVitOptionShapesTheQueuesModel() throws {
        let root = try temporaryFolder("attn-vit-spec")
        func make(_ vit: String) throws -> AttentionWorkbenchJob {
            try AttentionWorkbenchJob.create(options: [("data", "digits"), ("kinds", "softmax"), ("epochs", "1"), ("test-count", "300"),
                                                       ("threads", "1"), ("vit", vit)],
                                             dataDirectory: AttentionWorkbenchJobTests.dataDir, runRoot: root.path, diagnosticImages: 8, scalingSizes: [8])
        }
        let job = try make("depth=2,width=16,heads=2,patch=4,mlp=2")
        XCTAssertEqual(job.snapshot(state: .running, messages: [], elapsed: 0).modelName, "vit-digits-w16-d2-h2-p4-m2")
        XCTAssertThrowsError(try make("dpth=2")) { XCTAssertEqual("\($0)", "attention option vit: unknown key 'dpth' (allowed: depth, width, heads, patch, mlp)") }
        XCTAssertThrowsError(try make("patch=3")) { XCTAssertTrue("\($0)".contains("patch size 3 must divide the image size 8"), "\($0)") }
    }
}
