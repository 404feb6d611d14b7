import Foundation
import RetortData
import XCTest

/// A gzip file that decompresses to more than the memory budget is refused with the size it
/// needs, counted without keeping it; the budget honours the process's own limits.
final class GzipBombTests: XCTestCase {
    func testABombIsRefusedNamingTheSizeItNeeds() throws {
        let bomb = try gzip([UInt8](repeating: 0x30, count: 3_000_000))
        assertDataError(try GzipReader.inflate(bomb, file: "bomb.csv.gz", limit: 65_536),
                        matches: "^bomb.csv.gz: decompresses to more than 64.0 KB, the memory available for it: it needs 2.9 MB$")
        // a concatenation (cat a.gz b.gz) is counted member by member
        assertDataError(try GzipReader.inflate(bomb + bomb, file: "two.gz", limit: 65_536), matches: "it needs 5.7 MB$")
    }

    func testTheBudgetIsNoMoreThanTheProcessMayUse() throws {
        var old = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &old), 0)
        var l = old
        l.rlim_cur = 1 << 40   // the soft limit only, far above what this process uses
        try XCTSkipUnless(old.rlim_max == rlim_t.max || old.rlim_max >= l.rlim_cur, "hard data limit below 1 TB")
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &l), 0)
        defer { var o = old; setrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &o) }
        XCTAssertEqual(MemoryBudget.processLimit(), 1 << 40)
        XCTAssertLessThanOrEqual(MemoryBudget.available(), 1 << 38, "a quarter of the limit")
    }
}
