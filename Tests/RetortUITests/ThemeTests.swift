import RetortUI
import XCTest

final class ThemeTests: XCTestCase {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    func testShippedThemesParse() throws {
        let names = ThemeLocator.names(in: Self.themesDir)
        XCTAssertEqual(Set(names), ["dark", "light", "high-contrast", "tty16", "mono"])
        for n in names { XCTAssertNoThrow(try ThemeLocator.load(n, directory: Self.themesDir), n) }
        XCTAssertEqual(try ThemeLocator.load("dark", directory: Self.themesDir), Theme.builtinDark)
    }

    func testThemeFromAnotherToolEqualsTheCleanFile() throws {
        let clean = try String(contentsOfFile: Self.themesDir + "/light.toml", encoding: .utf8)
        // BOM, CRLF, trailing blanks: before, a CRLF theme was read as one comment line
        let other = "\u{FEFF}" + clean.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + " \t" }.joined(separator: "\r\n")
        let a = try Theme.parse(clean, file: "light.toml"), b = try Theme.parse(other, file: "light.toml")
        XCTAssertEqual(b, a)
        XCTAssertNotEqual(b.colors, Theme.builtinDark.colors)
        check("\u{FEFF}# c\r\n\r\nfg = \"#12345\" \r\n", "t.toml:3: fg: '#12345' is not a colour: use \"#RRGGBB\" (six hex digits) or \"\" for the terminal default")
    }

    func check(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Theme.parse(text, file: "t.toml"), file: file, line: line) {
            XCTAssertEqual("\($0)", expected, file: file, line: line)
        }
    }

    func testMalformedThemesNameFileLineAndKey() {
        check("fg = \"#12345\"", "t.toml:1: fg: '#12345' is not a colour: use \"#RRGGBB\" (six hex digits) or \"\" for the terminal default")
        check("# c\n\nfg = #123456", "t.toml:3: fg: value must be a quoted string like \"#1e1e2e\", found #123456")
        check("fg \"#123456\"", "t.toml:1: expected key = \"#RRGGBB\", found 'fg \"#123456\"'")
        check("colour = \"#123456\"", "t.toml:1: colour: unknown key (allowed: name, \(Theme.keys.joined(separator: ", ")))")
        check("[palette]", "t.toml:1: unknown section [palette] (only [colors] is allowed)")
        check("fg = \"#123456\" junk", "t.toml:1: fg: unexpected text after the value: 'junk'")
        check("fg = \"#gg0000\"", "t.toml:1: fg: '#gg0000' is not a colour: use \"#RRGGBB\" (six hex digits) or \"\" for the terminal default")
        XCTAssertThrowsError(try ThemeLocator.load("nosuch", directory: Self.themesDir)) {
            XCTAssertTrue("\($0)".contains("nosuch.toml:0: no such theme (available: dark, high-contrast, light, mono, tty16)"), "\($0)")
        }
    }

    func testColourTiers() {
        XCTAssertEqual(ResolvedTheme.index(RGB(255, 0, 0), .c256), 196)
        XCTAssertEqual(ResolvedTheme.index(RGB(128, 128, 128), .c256), 243)
        XCTAssertEqual(ResolvedTheme.index(RGB(250, 10, 10), .c16), 9)
        XCTAssertEqual(ResolvedTheme.index(RGB(250, 10, 10), .c8), 1)
        XCTAssertEqual(ColorTier.detect(colors: 256, noColor: true), .mono)
        XCTAssertEqual(ColorTier.detect(colors: 8, noColor: false), .c8)
        let mono = ResolvedTheme(Theme.builtinDark, tier: .mono)
        let st = mono.style(Cell("x", fg: .error))
        XCTAssertEqual(st.fg, -1)
        XCTAssertTrue(st.attrs.contains(.bold), "errors stay visible without colour")
        XCTAssertTrue(mono.style(Cell("x", fg: .selectedFg, bg: .selectedBg)).attrs.contains(.reverse))
        let full = ResolvedTheme(Theme.builtinDark, tier: .c256)
        XCTAssertNotEqual(full.index(.ramp(0)), full.index(.ramp(15)))
    }
}
