import Foundation
import RunKit
import XCTest

extension XCTestCase {
    /// A new empty folder `retort-<prefix>-<uuid>` in the system's temporary directory; when the
    /// test ends its run lock (if any) is released and the folder removed.
    public func temporaryFolder(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retort-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { RunLock.release(url); try? FileManager.default.removeItem(at: url) }
        return url
    }
}
