import Foundation
import RetortData
import RunKit
import TrainEngine
import XCTest

/// `retort train --config FILE` reads TrainConfig: a run's config.json gives the same config
/// back (its run name aside), and the flags' names are keys too.
final class TrainConfigFileTests: XCTestCase {
    func read(_ text: String) throws -> TrainConfig { try ConfigFile.parse(TrainConfig.self, bytes: Array(text.utf8), path: "c.yaml").config }

    func testARunsConfigJSONReadsBackExactly() throws {
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.width = 0.75; c.mlpHidden = [32, 16]; c.epochs = 3; c.batchSize = 17
        c.optimizer = .adamw; c.lr = 0.0123; c.momentum = 0.85; c.nesterov = false; c.weightDecay = 1e-5
        c.labelSmoothing = 0.05; c.warmupEpochs = 0.5; c.minLR = 1e-4; c.testCount = 300; c.shiftAugment = 1
        c.seed = 99; c.threads = 1; c.runRoot = "out/runs"; c.checkpointEvery = 50; c.keepCheckpoints = 2; c.runName = "r1"
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        var want = c
        want.runName = nil   // a run folder is never reused
        XCTAssertEqual(try read(String(decoding: try enc.encode(c), as: UTF8.self)), want)
    }

    func testTheFlagsNamesAreKeys() throws {
        let c = try read("shift: 3\nruns: out\nbatch-size: 8\nwarmup_epochs: 2\nname: ignored\n")
        XCTAssertEqual(c.shiftAugment, 3)
        XCTAssertEqual(c.runRoot, "out")
        XCTAssertEqual(c.batchSize, 8)
        XCTAssertEqual(c.warmupEpochs, 2)
        XCTAssertNil(c.runName)
    }

    func testDataIsASampleOrAPath() throws {
        XCTAssertEqual(try read("epochs: 2\ndata: digits\n").data, .digits)
        XCTAssertEqual(try read("data: /data/cifar-10-batches-bin\nshape: 32x32x3\nflip: off\n").data, .path("/data/cifar-10-batches-bin"))
        let c = try read("test-data: /data/test\nlayout: nchw\n")
        XCTAssertEqual(c.dataOptions, DataReadSettings(test: "/data/test", layout: .nchw))
        XCTAssertThrowsError(try read("layout: hwc\n")) { XCTAssertTrue("\($0)".hasPrefix("c.yaml:1: layout: must be one of nhwc, nchw"), "\($0)") }
    }
}
