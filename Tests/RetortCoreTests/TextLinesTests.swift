import RetortCore
import XCTest

/// The one text normalisation every reader uses: BOM, CRLF, trailing blanks, line numbers.
final class TextLinesTests: XCTestCase {
    func lines(_ s: String) -> [String] { TextLines.split(s).map { String($0.text) } }

    func testCRLFBOMAndTrailingBlanksReadAsTheCleanText() {
        let clean = "a = 1\n\n  b = 2\nc"
        let other = "\u{FEFF}a = 1 \t\r\n\r\n  b = 2\t\r\nc  "
        XCTAssertEqual(lines(other), lines(clean))
        XCTAssertEqual(lines(clean), ["a = 1", "", "  b = 2", "c"])
        XCTAssertEqual(TextLines.split(other).map(\.number), [1, 2, 3, 4])
        XCTAssertEqual(TextLines.normalized(other), clean)
    }

    func testLineEndsAndEmptyText() {
        XCTAssertEqual(lines(""), [])
        XCTAssertEqual(lines("\u{FEFF}"), [])
        XCTAssertEqual(lines("x\n"), ["x"])
        XCTAssertEqual(lines("x\r\n\r\n"), ["x", ""])
        XCTAssertEqual(lines("\n\nx"), ["", "", "x"])
        // a BOM only counts at the very start; a lone CR inside a line stays
        XCTAssertEqual(lines("a\n\u{FEFF}b\rc"), ["a", "\u{FEFF}b\rc"])
    }

    func testBytes() {
        let bytes: [UInt8] = TextLines.bom + Array("ab \t\r\n".utf8)
        XCTAssertEqual(TextLines.decode(bytes), "ab \t\r\n")
        bytes.withUnsafeBufferPointer { buf in
            XCTAssertEqual(TextLines.bomLength(buf), 3)
            let p = buf.baseAddress!
            XCTAssertEqual(TextLines.contentEnd(p + 3, p + buf.count - 1) - p, 5)  // "ab"
        }
        [UInt8]("ab".utf8).withUnsafeBufferPointer { XCTAssertEqual(TextLines.bomLength($0), 0) }
    }
}
