import Foundation
import RunKit
import XCTest

/// A choice setting's change is logged with its words, a number setting's with numbers, in
/// the same hparams.csv columns.
final class MetricsLogWordsTests: XCTestCase {
    func testSettingChangesKeepTheirWords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retort-words-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let log = try MetricsLog(folder: folder, tensorBoard: false)
            log.write(.settingChange(step: 3, epoch: 0, name: "surgery", from: .word("asym"), to: .word("drop"), note: "surgery asym → drop"))
            log.write(.settingChange(step: 5, epoch: 1, name: "tau", from: .number(0), to: .number(0.25), note: "tau 0 → 0.25"))
            log.write(.settingChange(step: 6, epoch: 1, name: "odd", from: .word("a,b"), to: .word("c"), note: "odd"))
        }
        let csv = try String(contentsOf: folder.appendingPathComponent("hparams.csv"), encoding: .utf8)
        XCTAssertEqual(csv, """
            step,epoch,name,from,to,note
            3,0,surgery,asym,drop,"surgery asym → drop"
            5,1,tau,0,0.25,"tau 0 → 0.25"
            6,1,odd,"a,b",c,"odd"

            """)
        let json = try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(String(json[0]), #"{"kind":"hparam","step":3,"epoch":0,"name":"surgery","from":"asym","to":"drop","note":"surgery asym → drop"}"#)
        XCTAssertEqual(String(json[1]), #"{"kind":"hparam","step":5,"epoch":1,"name":"tau","from":0,"to":0.25,"note":"tau 0 → 0.25"}"#)
    }
}
