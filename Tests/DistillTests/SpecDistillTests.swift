import Distill
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine
import XCTest

/// Distill on student architectures given as specs: the teacher widens any MLP / CNN spec
/// (repeated rows with shortcuts, kernels 5 and 7, stride patterns), channel sorting and
/// per-width BatchNorm keep working, and the student slice exports as the spec's network.
final class SpecDistillTests: XCTestCase {
    static let digits = DistillJobTests.digits

    func config() throws -> DistillConfig {
        var c = DistillConfig.preset(.full)
        c.model = .cnn; c.epochs = 2; c.threads = 1; c.seed = 3; c.lr = 0.05
        try c.set("cnn", "stem=6/1; 1,6,1,1; 4,8,2,2,5; 3,10,2,1,7; head=16")
        c.teacherWidth = [2]; c.teacherExpand = [1.5]; c.sortChannels = true
        return c
    }

    func testTeacherWidensASpecWithRepeatsAndKernels() throws {
        let c = try config()
        let net = try WeightSharingNet(config: c, sample: .digits)
        let cnn = try XCTUnwrap(net.model as? TinyCNN)
        // blocks: 6→6 (t 1, shortcut), 6→8 /2, 8→8 (shortcut), 8→10, 10→10 (shortcut)
        XCTAssertEqual(cnn.blocks.map(\.hasShortcut), [true, false, true, false, true])
        XCTAssertEqual(net.groupCount, 4, "stem, the two blocks without a shortcut, head")
        XCTAssertEqual(net.blockCount, 5)
        XCTAssertEqual(cnn.blocks.map(\.depthwise.kernel), [3, 5, 5, 7, 7])
        // the teacher's slice is twice the student's outputs, 1.5× its expansion
        let ext = Dictionary(uniqueKeysWithValues: zip(net.teacherLayout.names, net.teacherLayout.extents))
        let stu = Dictionary(uniqueKeysWithValues: zip(net.layout.names, net.layout.extents))
        XCTAssertEqual(stu["blocks.3.dw.weight"], [24, 1, 7, 7]); XCTAssertEqual(ext["blocks.3.dw.weight"], [72, 1, 7, 7])
        XCTAssertEqual(stu["head.weight"], [16, 10, 1, 1]); XCTAssertEqual(ext["head.weight"], [32, 20, 1, 1])
    }

    func testAFewStepsLearnAndTheStudentExportsAsTheSpec() throws {
        let c = try config()
        let job = try DistillJob(config: c, data: Self.digits, log: nil)
        var losses: [Float] = []
        while !job.isFinished { losses.append(job.step().studentLoss) }
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertLessThan(losses.suffix(10).reduce(0, +) / 10, losses.prefix(10).reduce(0, +) / 10, "the student learns")
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("spec-student-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try job.saveStudent(to: url)
        let file = try SafeTensors.read(url)
        let info = WeightsInfo(metadata: file.metadata)
        XCTAssertEqual(info.cnn?.blocks.map(\.kernelSize), [3, 5, 5, 7, 7])
        let student = try TrainWeights.model(from: file, kind: .cnn, sample: .digits)
        XCTAssertEqual(student.name, "tinycnn-6-6x1-8x4k5-8x4k5-10x3k7-10x3k7-16")
        // the standalone student computes what the shared net computes at the student's widths
        let (x, _) = Self.digits.test.batch(Array(0..<16)[...], sampleShape: student.inputShape)
        job.net.model.setWidth(job.net.student)
        let want = job.net.model.forward(x, training: false), got = student.forward(x, training: false)
        var d: Float = 0
        for i in 0..<want.count { d = max(d, abs(want[i] - got[i])) }
        XCTAssertLessThan(d, 1e-4)
    }

    func testSpecKeysOfTheDistillOptions() throws {
        var c = DistillConfig()
        try c.set("mlp-hidden", "16,12,8")
        XCTAssertEqual(c.mlpHidden, [16, 12, 8])
        try c.set("cnn-preset", "mbv2-tiny")
        XCTAssertEqual(c.cnn, .mbv2Tiny)
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual("\($0)", "cnn: a CNN spec needs model cnn (the model is mlp)") }
        try c.set("cnn", "default")
        XCTAssertNil(c.cnn)
        XCTAssertThrowsError(try c.set("cnn", "stem=4/1; 2,4,1,1,6; head=8")) { XCTAssertEqual("\($0)", "cnn: row 1: kernel k: must be odd in 1…11, got 6") }
        XCTAssertThrowsError(try c.set("cnn-preset", "resnet")) { XCTAssertTrue("\($0)".hasPrefix("cnn-preset: must be one of tiny-mnist, tiny-digits, mbv2-tiny, mcunet")) }
        XCTAssertThrowsError(try c.set("mlp-hidden", "4,-1")) { XCTAssertTrue("\($0)".hasPrefix("mlp-hidden: must be")) }
        c.model = .cnn; c.cnn = try CNNSpec.parse("stem=4/1; 2,4,1,1; head=8; res=9x9")
        XCTAssertThrowsError(try WeightSharingNet(config: c, sample: .digits)) {
            XCTAssertEqual("\($0)", "cnn: resolution 9×9 differs from the data's 8×8 images (Retort does not resize; drop res= to use the data's)")
        }
    }
}
