import Foundation
import RetortCore
import RunKit
import TrainEngine
import XCTest

/// Event files against `tools/tensorboard/make_fixtures.sh`: the committed `.tfevents` files
/// were written by `retort train` / `retort distill`, the `.json` next to them is what the
/// real tensorboard package (2.21) read from them.
final class TensorBoardTests: XCTestCase {
    func testCRC32CKnownAnswers() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)        // RFC 3720 B.4
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)                 // RFC 3720 B.4
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    /// read_events.py's JSON (decoded with JSONDecoder, which parses doubles exactly).
    struct Expected: Decodable {
        struct Pair: Decodable {
            let tag: String, value: Double
            init(from d: Decoder) throws { var c = try d.unkeyedContainer(); tag = try c.decode(String.self); value = try c.decode(Double.self) }
        }
        struct Point: Decodable {
            let step: Int64, value: Double
            init(from d: Decoder) throws { var c = try d.unkeyedContainer(); step = try c.decode(Int64.self); value = try c.decode(Double.self) }
        }
        struct Event: Decodable {
            let wall_time: Double, step: Int64, scalars: [Pair]
        }
        let file_version: String
        let records: Int
        let events: [Event]
        let scalars: [String: [Point]]
    }

    func expected(_ run: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: try Support.fixture("tensorboard", "\(run).json")))
    }

    /// Swift's reader sees exactly what tensorboard saw: tags, steps, float32 values, wall times.
    func testReaderMatchesTensorBoard() throws {
        for run in ["train", "distill"] {
            let url = try Support.fixture("tensorboard", "\(run).tfevents")
            let want = try expected(run)
            let events = try TensorBoardReader.events(at: url)
            XCTAssertEqual(events.count, want.records, run)
            XCTAssertEqual(events.first?.fileVersion, "brain.Event:2")
            XCTAssertEqual(want.file_version, "brain.Event:2")
            let scalarEvents = Array(events.dropFirst())
            XCTAssertEqual(scalarEvents.count, want.events.count, run)
            for (got, exp) in zip(scalarEvents, want.events) {
                XCTAssertEqual(got.wallTime, exp.wall_time, run)
                XCTAssertEqual(got.step, exp.step, run)
                XCTAssertEqual(got.scalars.map(\.tag), exp.scalars.map(\.tag), run)
                XCTAssertEqual(got.scalars.map(\.value.bitPattern), exp.scalars.map { Float($0.value).bitPattern }, run)
                // tensorboard printed the float32 exactly (as a double)
                XCTAssertEqual(exp.scalars.map { Double(Float($0.value)) }, exp.scalars.map(\.value), run)
            }
            let byTag = try TensorBoardReader.scalars(at: url)
            XCTAssertEqual(Set(byTag.keys), Set(want.scalars.keys), run)
            for (tag, series) in want.scalars {
                XCTAssertEqual(byTag[tag]!.map(\.step), series.map(\.step), "\(run) \(tag)")
                XCTAssertEqual(byTag[tag]!.map(\.value), series.map { Float($0.value) }, "\(run) \(tag)")
            }
        }
        let train = try expected("train")
        XCTAssertEqual(train.scalars["epoch/test_accuracy"]?.map(\.step), [24, 48])
        let distill = try expected("distill")
        XCTAssertEqual(distill.scalars["hparam/lr/to"]?.map(\.value), [Double(Float(0.01))])
    }

    /// The writer, given the same scalars and wall times, reproduces the committed bytes.
    func testWriterReproducesCommittedBytes() throws {
        let tmp = TempDir()
        for run in ["train", "distill"] {
            let url = try Support.fixture("tensorboard", "\(run).tfevents")
            let events = try TensorBoardReader.events(at: url)
            var times = events.map(\.wallTime)[...]
            let folder = tmp.file(run)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let w = try TensorBoardWriter(folder: folder, clock: { times.popFirst()! })
            for e in events.dropFirst() { w.add(step: e.step, scalars: e.scalars) }
            w.close()
            XCTAssertTrue(times.isEmpty)
            XCTAssertEqual(try Data(contentsOf: w.url), try Data(contentsOf: url), run)
            XCTAssertTrue(w.url.lastPathComponent.hasPrefix("events.out.tfevents.\(Int64(events[0].wallTime))."), w.url.lastPathComponent)
            XCTAssertTrue(w.url.lastPathComponent.hasSuffix(".\(getpid()).retort"), w.url.lastPathComponent)
        }
    }

    func testRoundTripOfEdgeValues() throws {
        let tmp = TempDir()
        let w = try TensorBoardWriter(folder: tmp.url, clock: { 1_700_000_000.25 })
        let values: [Float] = [0, -0.0, 1, -3.5e-38, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, .nan]
        w.add(step: 0, scalars: values.enumerated().map { .init(tag: "t/\($0.offset)", value: $0.element) })
        w.add(step: 1 << 40, scalars: [.init(tag: "ünïcode/tag", value: 2)])
        w.add(step: -3, scalars: [.init(tag: "neg", value: 1)])
        w.close()
        let e = try TensorBoardReader.events(at: w.url)
        XCTAssertEqual(e.count, 4)
        XCTAssertEqual(e[1].step, 0)
        XCTAssertEqual(e[1].scalars.map(\.value.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(e[2].step, 1 << 40)
        XCTAssertEqual(e[2].scalars, [.init(tag: "ünïcode/tag", value: 2)])
        XCTAssertEqual(e[3].step, -3)
        XCTAssertTrue(e.allSatisfy { $0.wallTime == 1_700_000_000.25 })
    }

    /// Every numeric value MetricsLog records goes to the event file as <kind>/[<name>/]<key>;
    /// non-finite values are left out; the file is complete once the log is gone.
    func testMetricsLogWritesEventFile() throws {
        let tmp = TempDir()
        do {
            let log = try MetricsLog(folder: tmp.url)
            log.write(MetricRecord(kind: "step", step: 10, epoch: 0, values: [("loss", 2.5), ("lr", 0.1)]))
            log.write(MetricRecord(kind: "hparam", step: 12, epoch: 0, values: [("from", 0.1), ("to", 0.01)], note: "lr", name: "lr"))
            log.write(MetricRecord(kind: "event", step: 12, epoch: 0, values: [("groups_permuted", 3)], note: "sorted"))
            log.write(MetricRecord(kind: "epoch", step: 20, epoch: 1, values: [("test_accuracy", 0.875), ("test_loss", .nan), ("big", 1e300)]))
            log.write(MetricRecord(kind: "event", step: 21, epoch: 1, values: [], note: "no numbers"))
        }
        let files = TensorBoardReader.eventFiles(in: tmp.url)
        XCTAssertEqual(files.count, 1)
        let s = try TensorBoardReader.scalars(at: files[0])
        XCTAssertEqual(Set(s.keys), ["step/loss", "step/lr", "hparam/lr/from", "hparam/lr/to", "event/groups_permuted", "epoch/test_accuracy"])
        XCTAssertEqual(s["step/loss"]!.map(\.step), [10]); XCTAssertEqual(s["step/loss"]!.map(\.value), [2.5])
        XCTAssertEqual(s["hparam/lr/to"]!.map(\.step), [12]); XCTAssertEqual(s["hparam/lr/to"]!.map(\.value), [0.01])
        XCTAssertEqual(s["epoch/test_accuracy"]!.map(\.step), [20]); XCTAssertEqual(s["epoch/test_accuracy"]!.map(\.value), [0.875])

        let off = TempDir()
        _ = try MetricsLog(folder: off.url, tensorBoard: false)
        XCTAssertEqual(TensorBoardReader.eventFiles(in: off.url), [])
    }

    /// A real training job: the event file's epoch scalars are the job's own numbers.
    func testTrainingJobEventFileMatchesItsSummaries() throws {
        let tmp = TempDir()
        var c = TrainConfig()
        c.data = .digits; c.model = .mlp; c.epochs = 2; c.testCount = 300; c.threads = 1; c.seed = 5
        var summaries: [EpochSummary] = []
        do {
            let job = try TrainingJob(config: c, dataDirectory: Support.dataDir, log: try MetricsLog(folder: tmp.url))
            while !job.isFinished { if let s = job.step().epochSummary { summaries.append(s) } }
        }
        let s = try TensorBoardReader.scalars(at: TensorBoardReader.eventFiles(in: tmp.url)[0])
        XCTAssertEqual(s["epoch/test_accuracy"]!.map(\.step), summaries.map { Int64($0.step) })
        XCTAssertEqual(s["epoch/test_accuracy"]!.map(\.value), summaries.map(\.testAccuracy))
        XCTAssertEqual(s["epoch/train_loss"]!.map(\.value), summaries.map(\.trainLoss))
        XCTAssertEqual(s["step/loss"]!.map(\.step), Array(stride(from: 10, through: summaries.last!.step, by: 10)).map(Int64.init))
    }

    /// Corrupt and truncated files fail with one line naming the file and the byte offset.
    func testCorruptFilesAreRejected() throws {
        let good = Array(try Data(contentsOf: try Support.fixture("tensorboard", "train.tfevents")))
        let first = 12 + Int(good[0]) + 4          // offset of the second record (the first is < 256 bytes)
        let n = Int(good[first])
        let tmp = TempDir()
        func error(_ name: String, _ bytes: [UInt8]) -> String {
            let url = tmp.write(name, bytes)
            do { _ = try TensorBoardReader.events(at: url); return "no error" } catch { return "\(error)" }
        }
        var b = good; b[first + 8] ^= 1
        XCTAssertTrue(error("lencrc.tfevents", b).hasPrefix("lencrc.tfevents: byte \(first): length CRC mismatch (stored 0x"), error("lencrc.tfevents", b))
        b = good; b[first + 12 + n] ^= 0x80
        XCTAssertTrue(error("datacrc.tfevents", b).hasPrefix("datacrc.tfevents: byte \(first): data CRC mismatch"), error("datacrc.tfevents", b))
        b = good; b[first + 20] ^= 4                // a payload byte: the data CRC catches it
        XCTAssertTrue(error("payload.tfevents", b).contains("byte \(first): data CRC mismatch"))
        let cut = Array(good.dropLast(3))
        let last = try TFRecord.records(good, file: "x").last!.offset
        XCTAssertEqual(error("cut.tfevents", cut),
                       "cut.tfevents: byte \(last): truncated record (length \(good.count - last - 16), \(good.count - last - 15) bytes left, need \(good.count - last - 12))")
        XCTAssertEqual(error("head.tfevents", Array(good.prefix(first + 5))), "head.tfevents: byte \(first): truncated record header (5 of 12 bytes)")
        XCTAssertTrue(error("garbage.tfevents", TFRecord.frame([0x0A, 0x7F])).hasPrefix("garbage.tfevents: byte 0: malformed Event record (Event: field 1 length 127 runs past the end"))
        XCTAssertTrue(error("wire.tfevents", TFRecord.frame([0x0B])).contains("byte 0: malformed Event record (Event: unsupported wire type 3"))
        XCTAssertEqual(try TensorBoardReader.events(at: tmp.write("empty.tfevents", [])).count, 0)
    }
}
