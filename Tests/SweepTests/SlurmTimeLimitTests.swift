import XCTest
import Sweep

final class SlurmTimeLimitTests: XCTestCase {
    func testSlurmFormsBecomeDaysHoursMinutesSeconds() throws {
        let cases = ["90": "0-01:30:00", "5:30": "0-00:05:30", "2:03:04": "0-02:03:04", "1-2": "1-02:00:00",
                     "1-02:30": "1-02:30:00", "3-04:05:06": "3-04:05:06", "0-00:00:01": "0-00:00:01",
                     "UNLIMITED": "UNLIMITED", "infinite": "UNLIMITED"]
        for (input, canonical) in cases {
            XCTAssertEqual(try SlurmTimeLimit(parsing: input).description, canonical, input)
        }
        XCTAssertEqual(try SlurmTimeLimit(parsing: "1-00:00:00").seconds, 86400)
    }

    func testMalformedTimesAreOneLineNamingTheOption() {
        for bad in ["", "abc", "1:2:3:4", "1-2-3", "-5", "1-24", "1:60", "0:10:61", "1-1:1:1:1", "5m", " 1 :2", "0", "0-00:00:00"] {
            XCTAssertThrowsError(try SlurmTimeLimit(parsing: bad), bad) { e in
                let m = "\(e)"
                XCTAssertTrue(m.hasPrefix("--time: \"\(bad)\" is "), m)
                XCTAssertTrue(m.contains("D-H:M:S"), m)
                XCTAssertFalse(m.contains("\n"))
            }
        }
    }
}
