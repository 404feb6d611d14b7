import Attention
import XCTest

/// The CLI and the TUI spell attention kinds with these names; they must not drift.
final class AttentionKindNamesTests: XCTestCase {
    func testNames() {
        XCTAssertEqual(AttentionKind(rawValue: "softmax"), .softmax)
        XCTAssertEqual(AttentionKind(rawValue: "taylor"), .taylor)
        XCTAssertEqual(AttentionKind(rawValue: "taylor-sparse"), .taylorSparse)
        XCTAssertNil(AttentionKind(rawValue: "linear"))
    }
}
