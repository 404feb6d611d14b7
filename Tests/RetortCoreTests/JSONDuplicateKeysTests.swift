import RetortCore
import XCTest

/// The duplicate-key scan every JSON reader of user files runs first.
final class JSONDuplicateKeysTests: XCTestCase {
    func dup(_ s: String) -> JSONDuplicateKeys.Duplicate? { JSONDuplicateKeys.first(in: Array(s.utf8)) }

    func testFindsTheFirstRepeatedKeyWithItsPathAndLine() {
        XCTAssertEqual(dup(#"{"a": 1, "a": 2}"#), .init(key: "a", path: "a", line: 1))
        XCTAssertEqual(dup("{\n \"hardware\": {\"x\": 1,\n  \"clock_mhz\": 5,\n  \"clock_mhz\": 6}}"),
                       .init(key: "clock_mhz", path: "hardware.clock_mhz", line: 4))
        XCTAssertEqual(dup(#"{"l": [{"k": 1}, {"k": 1, "k": 2}]}"#)?.path, "l[1].k")
        XCTAssertEqual(dup(#"{"a": 1, "\u0061": 2}"#)?.key, "a", "escapes are decoded before comparing")
        XCTAssertEqual(dup(#"{"\ud83d\ude00": 1, "😀": 2}"#)?.key, "😀", "surrogate pairs too")
        XCTAssertEqual(dup(#"{"a\"b": 1, "a\"b": 2}"#)?.key, "a\"b")
        XCTAssertEqual("\(dup(#"{"a": 1, "a": 2}"#)!)", "duplicate key 'a' on line 1 (each key may appear once per object)")
    }

    func testAcceptsEqualKeysInDifferentObjectsAndKeysAsValues() {
        XCTAssertNil(dup(#"{"a": {"v": 1}, "b": {"v": 2}}"#))
        XCTAssertNil(dup(#"{"a": "a", "b": ["a", "a"], "c": "{\"a\": 1, \"a\": 1}"}"#))
        XCTAssertNil(dup(#"[{"a": 1}, {"a": 1}]"#))
        XCTAssertNil(dup(#"{"A": 1, "a": 1}"#))
    }

    func testNeverTrapsOnMalformedBytes() {
        for s in ["", "{", "}", "]]]]{", #"{"a"#, #"{"a\"#, #"{"\u12"#, #"{"\ud800": 1, "\ud800": 2}"#, "{\"a\":1,,,\"a\"", String(repeating: "[", count: 100_000)] {
            _ = dup(s)
        }
        XCTAssertEqual(dup(#"{"\ud800": 1, "\ud800": 2}"#)?.line, 1, "lone surrogates compare equal to each other")
        // deep nesting and wide objects (a hostile header): found at the bottom of 100 000 levels
        let deep = String(repeating: #"{"k": ["#, count: 50_000) + #"{"a": 1, "a": 2}"#
        XCTAssertEqual(dup(deep)?.path.count, 50_000 * 5 + 1)
        let wide = "{" + (0..<200_000).map { "\"k\($0)\": 0" }.joined(separator: ",") + ", \"k7\": 1}"
        XCTAssertEqual(dup(wide)?.path, "k7")
        XCTAssertNotNil(JSONDuplicateKeys.first(in: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0xFF, 0x22, 0x3A, 0x32, 0x7D]))
        XCTAssertNil(JSONDuplicateKeys.first(in: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0xFE, 0x22, 0x3A, 0x32, 0x7D]), "different invalid bytes are different keys")
    }
}
