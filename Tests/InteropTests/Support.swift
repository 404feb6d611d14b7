import Foundation
import XCTest

enum Support {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-data").path

    /// A committed fixture (`Tests/InteropTests/Fixtures/<subdirectory>/<name>`), from the test bundle.
    static func fixture(_ subdirectory: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(subdirectory).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("fixture \(subdirectory)/\(name) missing (see tools/\(subdirectory)/)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return url
    }

    static func json(_ url: URL) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: url)) }
}

/// A fresh temporary directory, removed when released.
final class TempDir {
    let url: URL
    init() {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("retort-interop-" + UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> URL {
        let u = file(name)
        FileManager.default.createFile(atPath: u.path, contents: Data(bytes))
        return u
    }
}
