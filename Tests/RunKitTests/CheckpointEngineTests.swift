import Foundation
import RetortCore
import RetortTestSupport
import RunKit
import XCTest

/// A checkpoint that verifies but was written by another engine (or holds another model) is
/// refused in one line naming what it is, and is never set aside as `.corrupt`.
final class CheckpointEngineTests: XCTestCase {
    struct State: Decodable { var step: Int }

    func write(_ state: String, to store: CheckpointStore, step: Int) throws -> URL {
        let t = Tensor(shape: [2]); t.data[0] = 1; t.data[1] = 2
        return try store.write(CheckpointFile.encode(state: Data(state.utf8), tensors: [("w", t)]), step: step)
    }

    func testAnotherEnginesCheckpointIsAMismatchNamingThatEngine() throws {
        let f = try temporaryFolder("engine")
        let store = CheckpointStore(runFolder: f)
        let url = try write(#"{"kind":"distill","step":3}"#, to: store, step: 3)
        let c = try CheckpointFile.decode(try Data(contentsOf: url), file: url.path)
        XCTAssertEqual(CheckpointFile.engine(ofState: c.state), .distill)
        XCTAssertThrowsError(try CheckpointFile.read(url, as: State.self, decoder: JSONDecoder(), engine: .train)) { e in
            XCTAssertTrue(e is CheckpointMismatch, "\(e)")
            XCTAssertEqual("\(e)", "\(url.path): a distillation checkpoint (written by retort distill), not a training one; the file is left as it is")
        }
        XCTAssertEqual(try CheckpointFile.read(url, as: State.self, decoder: JSONDecoder(), engine: .distill).0.step, 3)
        let train = try write(#"{"step":4}"#, to: store, step: 4)
        XCTAssertThrowsError(try CheckpointFile.read(train, as: State.self, decoder: JSONDecoder(), engine: .attention)) { e in
            XCTAssertTrue("\(e)".contains("a training checkpoint (written by retort train), not an attention one"), "\(e)")
        }
    }

    func testAMismatchStopsOpeningAndLeavesEveryFileAsItIs() throws {
        let f = try temporaryFolder("engine-open")
        let store = CheckpointStore(runFolder: f)
        _ = try write(#"{"step":1}"#, to: store, step: 1)
        let foreign = try write(#"{"kind":"attention","step":2}"#, to: store, step: 2)
        let before = try Data(contentsOf: foreign)
        XCTAssertThrowsError(try store.openNewest { url in try CheckpointFile.read(url, as: State.self, decoder: JSONDecoder(), engine: .train) }) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(foreign.path): an attention checkpoint"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).sorted()
        XCTAssertEqual(names, ["latest", "step-00000001.ckpt", "step-00000002.ckpt"])
        XCTAssertEqual(try Data(contentsOf: foreign), before)
    }

    func testACorruptFileIsStillSetAsideAndTheOlderOneUsed() throws {
        let f = try temporaryFolder("engine-corrupt")
        let store = CheckpointStore(runFolder: f)
        _ = try write(#"{"step":1}"#, to: store, step: 1)
        let bad = try write(#"{"kind":"distill","step":2}"#, to: store, step: 2)
        var bytes = try Data(contentsOf: bad)
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: bad)
        let (s, notes) = try store.openNewest { url in try CheckpointFile.read(url, as: State.self, decoder: JSONDecoder(), engine: .train).0 }
        XCTAssertEqual(s.step, 1)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bad.path + ".corrupt"))
    }

    func testDuplicateKeysInTheStateAreRefused() throws {
        let f = try temporaryFolder("engine-dup")
        let url = try write(#"{"step":1,"step":2}"#, to: CheckpointStore(runFolder: f), step: 1)
        XCTAssertThrowsError(try CheckpointFile.decode(try Data(contentsOf: url), file: "x.ckpt")) { e in
            XCTAssertEqual("\(e)", "x.ckpt: training state: duplicate key 'step' on line 1 (each key may appear once per object)")
        }
    }
}
