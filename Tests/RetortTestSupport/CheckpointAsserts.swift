import Foundation
import RunKit
import TrainEngine
import XCTest

/// Every tensor of every checkpoint file in a run folder is finite (the divergence guard
/// must never let NaN/Inf reach one); fails when there is no checkpoint at all.
public func assertCheckpointsFinite(_ runFolder: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let dir = runFolder.appendingPathComponent("checkpoints")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".ckpt") }
    XCTAssertFalse(names.isEmpty, "no checkpoint in \(dir.path)", file: file, line: line)
    for name in names {
        let c = try CheckpointFile.decode(try Data(contentsOf: dir.appendingPathComponent(name)), file: name)
        for (n, t) in c.tensors { XCTAssertTrue(t.isAllFinite, "\(name): \(n) holds NaN/Inf", file: file, line: line) }
    }
}
