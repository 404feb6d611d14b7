import Foundation
import RunKit
import Synchronization
import XCTest

/// A new run never reuses a folder: generated names that collide get suffixes (whatever the
/// number of concurrent starts), explicit names that exist are refused.
final class RunFolderTests: XCTestCase {
    func tempRoot() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retort-runfolder-\(UUID())")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEightThreadsCreatingTheSameGeneratedNameGetEightDistinctFolders() throws {
        let root = tempRoot()
        let made = Mutex<[URL]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let url = try RunFolder.makeDirectory(root: root.path, base: "20260101-000000-mlp-digits-s1", explicit: false)
                _ = try RunFolder.open(url, config: ["thread": i])
                made.withLock { $0.append(url) }
            } catch { failures.withLock { $0.append("\(error)") } }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let urls = made.withLock { $0 }
        defer { for u in urls { RunLock.release(u) } }
        XCTAssertEqual(Set(urls.map(\.lastPathComponent)),
                       Set(["20260101-000000-mlp-digits-s1"] + (2...8).map { "20260101-000000-mlp-digits-s1-\($0)" }))
        let threads = try urls.map { url -> Int in
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("config.json"))) as? [String: Int]
            return json?["thread"] ?? -1
        }
        XCTAssertEqual(Set(threads), Set(0..<8), "every folder holds its own run's config.json")
    }

    func testAGeneratedNameThatExistsGetsTheNextSuffixAndLeavesTheFirstRunAlone() throws {
        let root = tempRoot()
        let a = try RunFolder.create(root: root.path, name: nil, generated: ["mlp", "digits"], config: ["run": 1])
        let first = try Data(contentsOf: a.appendingPathComponent("config.json"))
        // a generated name ends in its own timestamp; a second run in the same second would take it
        let b = try RunFolder.makeDirectory(root: root.path, base: a.lastPathComponent, explicit: false)
        XCTAssertEqual(b.lastPathComponent, a.lastPathComponent + "-2")
        _ = try RunFolder.open(b, config: ["run": 2])
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("config.json")), first)
        RunLock.release(a); RunLock.release(b)
    }

    func testAnExplicitNameThatExistsIsRefusedWithOneLineAndChangesNothing() throws {
        let root = tempRoot()
        let a = try RunFolder.create(root: root.path, name: "keep", config: ["run": 1])
        let first = try Data(contentsOf: a.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try RunFolder.create(root: root.path, name: "keep", config: ["run": 2])) { e in
            XCTAssertEqual("\(e)", "run folder \(root.path)/keep already exists: choose another --name or resume it with `retort resume \(root.path)/keep`")
        }
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("config.json")), first)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["keep"])
        RunLock.release(a)
    }

    func testTheRefusalNamesTheFolderAsTheRootWasGiven() throws {
        let root = tempRoot()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("runs/x"), withIntermediateDirectories: true)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(root.path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        XCTAssertThrowsError(try RunFolder.makeDirectory(root: "runs", name: "x", generated: [])) { e in
            XCTAssertEqual("\(e)", "run folder runs/x already exists: choose another --name or resume it with `retort resume runs/x`")
        }
    }

    func testABodyThatThrowsRemovesTheNewFolder() throws {
        let root = tempRoot()
        struct Refused: Error {}
        XCTAssertThrowsError(try RunFolder.create(root: root.path, name: "r", generated: [], config: ["a": 1]) { _ in throw Refused() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("r").path))
    }
}
