import Foundation
import RetortCore
import RunKit
import XCTest

/// TensorBoard's HParams summaries against `tools/tensorboard/make_hparams_fixture.py`: the
/// committed `hparams-*.pb` files are Events holding what tensorboard's own
/// plugins/hparams/summary.py wrote for the inputs below.
final class HParamsTests: XCTestCase {
    let hparams: [(String, HParams.Value)] = [
        ("batchSize", .number(64)), ("data", .string("digits")), ("lr", .number(0.05)),
        ("nesterov", .bool(true)), ("seed", .number(3)), ("width", .number(0.25)),
    ]

    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: try Support.fixture("tensorboard", "hparams-\(name).pb")))
    }

    func testEncodingMatchesTensorBoardsSummaries() throws {
        let experiment = HParams.experiment(hparams: hparams, metrics: ["epoch/test_accuracy", "epoch/test_loss", "epoch/train_loss"],
                                            timeCreated: 1_700_000_000.5)
        XCTAssertEqual(TensorBoardEvent.encoded(wallTime: 1_700_000_123.25, values: [experiment]), try fixture("experiment"))
        // the session start sorts its map by name, whatever order it is given
        let start = HParams.sessionStart(hparams: hparams.reversed(), startTime: 1_700_000_000.5)
        XCTAssertEqual(TensorBoardEvent.encoded(wallTime: 1_700_000_000.5, values: [start]), try fixture("session_start"))
        let end = HParams.sessionEnd(status: .success, endTime: 1_700_000_123.25)
        XCTAssertEqual(TensorBoardEvent.encoded(wallTime: 1_700_000_123.25, values: [end]), try fixture("session_end"))
        // a different status is a different byte
        XCTAssertNotEqual(TensorBoardEvent.encoded(wallTime: 1_700_000_123.25, values: [HParams.sessionEnd(status: .failure, endTime: 1_700_000_123.25)]),
                          try fixture("session_end"))
        // the scalar reader passes over plugin summaries
        XCTAssertEqual(try TensorBoardEvent.decode(try fixture("experiment")).scalars, [])
        XCTAssertEqual(try TensorBoardEvent.decode(try fixture("session_start")).wallTime, 1_700_000_000.5)
    }

    /// config.json: numbers, words and switches as they are, nested objects dotted, lists as
    /// text, nulls left out, sorted by name.
    func testOptionsFromConfigJSON() throws {
        let tmp = TempDir()
        let url = tmp.write("config.json", Array("""
            {"seed": 3, "lr": 0.05, "data": "digits", "flip": false, "hidden": [4, 4], "runName": null,
             "dataOptions": {"format": "npz", "scale": 255}, "kinds": ["taylor", "softmax"]}
            """.utf8))
        let got = try XCTUnwrap(HParams.options(configJSON: url))
        XCTAssertEqual(got.map(\.0), ["data", "dataOptions.format", "dataOptions.scale", "flip", "hidden", "kinds", "lr", "seed"])
        XCTAssertEqual(got.map(\.1), [.string("digits"), .string("npz"), .number(255), .bool(false), .string("[4, 4]"),
                                      .string("['taylor', 'softmax']"), .number(0.05), .number(3)])
        XCTAssertNil(HParams.options(configJSON: tmp.file("none.json")))
        XCTAssertNil(HParams.options(configJSON: tmp.write("list.json", Array("[1]".utf8))))
    }

    /// The payloads of an event file's records.
    func payloads(_ folder: URL) throws -> [[UInt8]] {
        let file = try XCTUnwrap(TensorBoardReader.eventFiles(in: folder).first)
        return try TFRecord.records(Array(try Data(contentsOf: file)), file: file.lastPathComponent).map { Array($0.payload) }
    }

    /// A run folder with a config.json: the session start follows file_version; the end of the
    /// session writes the experiment (the epoch tags as metrics) and the status, once.
    func testMetricsLogWritesTheSession() throws {
        let tmp = TempDir()
        tmp.write("config.json", Array(#"{"lr": 0.1, "model": "mlp", "plain": true}"#.utf8))
        let options: [(String, HParams.Value)] = [("lr", .number(0.1)), ("model", .string("mlp")), ("plain", .bool(true))]
        do {
            let log = try MetricsLog(folder: tmp.url)
            log.write(MetricRecord(kind: "step", step: 10, epoch: 0, values: [("loss", 2.5)]))
            log.write(MetricRecord(kind: "epoch", step: 20, epoch: 1, values: [("test_accuracy", 0.875), ("train_loss", 0.5), ("test_loss", .nan)]))
            log.endSession(.success)
            log.endSession(.failure)   // already ended: nothing
        }
        let p = try payloads(tmp.url)
        XCTAssertEqual(p.count, 6)
        let t0 = try TensorBoardEvent.decode(p[0]).wallTime
        XCTAssertEqual(p[1], TensorBoardEvent.encoded(wallTime: t0, values: [HParams.sessionStart(hparams: options, startTime: t0)]))
        let t1 = try TensorBoardEvent.decode(p[4]).wallTime
        XCTAssertEqual(p[4], TensorBoardEvent.encoded(wallTime: t1, values: [
            HParams.experiment(hparams: options, metrics: ["epoch/test_accuracy", "epoch/train_loss"], timeCreated: t0)]))
        XCTAssertEqual(p[5], TensorBoardEvent.encoded(wallTime: t1, values: [HParams.sessionEnd(status: .success, endTime: t1)]))
    }

    /// A divergence ends the session as a failure; without a config.json there is no HParams data.
    func testDivergenceEndsTheSessionAsFailure() throws {
        let tmp = TempDir()
        tmp.write("config.json", Array(#"{"seed": 1}"#.utf8))
        do {
            let log = try MetricsLog(folder: tmp.url)
            log.write(Divergence(step: 7, epoch: 0, what: "loss is NaN", loss: .nan, gradientNorm: .nan, lr: 0.1).record)
            log.endSession(.success)
        }
        let p = try payloads(tmp.url)
        XCTAssertEqual(p.count, 5)   // file_version, start, the diverged event's scalar (lr), experiment, end
        let t = try TensorBoardEvent.decode(p[4]).wallTime
        XCTAssertEqual(p[4], TensorBoardEvent.encoded(wallTime: t, values: [HParams.sessionEnd(status: .failure, endTime: t)]))

        let bare = TempDir()
        do { try MetricsLog(folder: bare.url).endSession(.success) }
        XCTAssertEqual(try payloads(bare.url).count, 1)
    }
}
