import Foundation
import RunKit
import XCTest

/// Starts `flock -x FOLDER/.lock sleep 30` (util-linux, as a second retort process would hold
/// it) and waits until it holds the lock; the process is ended when `test` tears down.
public func holdLockElsewhere(_ folder: URL, in test: XCTestCase) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    p.arguments = ["-x", folder.appendingPathComponent(RunLock.fileName).path, "sleep", "30"]
    try p.run()
    test.addTeardownBlock { if p.isRunning { p.terminate(); p.waitUntilExit() } }
    for _ in 0..<200 where RunLock.otherHolder(folder) == nil { usleep(10_000) }
    return p
}
