import Distill
import Foundation
import RunKit
import XCTest

/// `retort distill --config FILE`: a method named in the file starts from its preset (as
/// `--method` does), and a run's config.json reads back exactly.
final class DistillConfigFileTests: XCTestCase {
    func read(_ text: String) throws -> DistillConfig { try ConfigFile.parse(DistillConfig.self, bytes: Array(text.utf8), path: "d.yaml").config }

    func testAMethodInTheFileAppliesItsPresetUnderTheOtherKeys() throws {
        XCTAssertEqual(try read("method: base\n"), DistillConfig.preset(.base))
        var want = DistillConfig.preset(.kd)
        want.lambda = 0.5
        XCTAssertEqual(try read("lambda: 0.5\nmethod: kd\n"), want)
    }

    func testARunsConfigJSONReadsBackExactly() throws {
        var c = DistillConfig.preset(.netaugRandom)
        c.model = .cnn; c.teacherWidth = [2, 3.5]; c.teacherExpand = [2]; c.randomWidths = [1, 2.5]; c.tau = -0.1
        c.testCount = 123; c.splitSeed = 4; c.seed = 5; c.kdWarmupEpochs = 1.5; c.batchNorm = .recalibrate; c.runName = "x"
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        var want = c
        want.runName = nil
        XCTAssertEqual(try read(String(decoding: try enc.encode(c), as: UTF8.self)), want)
    }

    func testTheFlagsNamesAreKeys() throws {
        let c = try read("hidden: 8,8\nkd-warmup: 2\nbn: recalibrate\nteacher-width: 3\nsurgery: sym\n")
        XCTAssertEqual(c.mlpHidden, [8, 8])
        XCTAssertEqual(c.kdWarmupEpochs, 2)
        XCTAssertEqual(c.batchNorm, .recalibrate)
        XCTAssertEqual(c.teacherWidth, [3])
        XCTAssertEqual(c.surgery, .symmetric)
    }
}
