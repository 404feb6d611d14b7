import RunKit
import XCTest

/// The one live-setting schema: what a definition says is allowed, what it refuses and
/// with which words, and what it writes.
final class LiveSettingTests: XCTestCase {
    struct Knobs: Sendable {
        var lr: Double = 0.1
        var lanes = 64
        var mode = "asym"
        var tau = 0.5
    }

    static let knobs = LiveSettings<Knobs>(noun: "knob", [
        .number("lr", .number(min: 0, max: 10, minInclusive: false, logScale: true), help: "rate", get: { $0.lr }, set: { $0.lr = $1 }),
        .number("lanes", .number(min: 1, max: 512, integer: true, logScale: true), help: "lanes",
                get: { Double($0.lanes) }, set: { $0.lanes = Int($1) }),
        .words("mode", ["none", "sym", "asym"], help: "surgery", get: { $0.mode }, set: { $0.mode = $1 }),
        .number("tau", .number(min: 0, max: 1, minInclusive: false, maxInclusive: false, logScale: false), help: "τ",
                get: { $0.tau }, set: { $0.tau = $1 }),
    ])

    func testAllowedTextOfEachKind() {
        XCTAssertEqual(Self.knobs.all.map(\.allowed), ["(0, 10]", "1…512", "none, sym, asym", "(0, 1)"])
        XCTAssertEqual(SettingKind.number(min: 0, logScale: false).allowed, "[0, ∞)")
        XCTAssertEqual(SettingKind.number(min: 0, max: 1, maxInclusive: false, logScale: false).allowed, "[0, 1)")
        XCTAssertEqual(SettingKind.number(min: 0.1, max: 2000, logScale: true).allowed, "[0.1, 2000]")
    }

    func testNumbersAcceptFractionsAndExponentsAndRefuseTheRest() {
        XCTAssertEqual(try Self.knobs.parse("lr", "3e-4"), .number(3e-4))
        XCTAssertEqual(try Self.knobs.parse("lr", " 1/4 "), .number(0.25))
        XCTAssertEqual(Self.knobs.validate("lr", "-1"), "lr: must be in (0, 10], got -1")
        XCTAssertEqual(Self.knobs.validate("lr", "0"), "lr: must be in (0, 10], got 0")
        XCTAssertNil(Self.knobs.validate("lr", "10"))
        XCTAssertEqual(Self.knobs.validate("lr", "inf"), "lr: 'inf' is not a number")
        XCTAssertEqual(Self.knobs.validate("lr", "nan"), "lr: 'nan' is not a number")
        XCTAssertEqual(Self.knobs.validate("lr", "1/0"), "lr: '1/0' is not a number")
        XCTAssertEqual(Self.knobs.validate("lanes", "1.5"), "lanes: must be a whole number, got 1.5")
        XCTAssertEqual(Self.knobs.validate("lanes", "513"), "lanes: must be in 1…512, got 513")
        XCTAssertEqual(Self.knobs.validate("tau", "1"), "tau: must be in (0, 1), got 1")
        XCTAssertNil(Self.knobs.validate("tau", "0.999"))
    }

    func testANumeralTooLargeIsOutOfRangeNotNaN() {
        XCTAssertEqual(Self.knobs.validate("lr", "1e999"),
                       "lr: 1e999 is out of range (the largest number is 1.7976931348623157e+308; allowed (0, 10])")
        XCTAssertEqual(Self.knobs.validate("lr", "-1e999"),
                       "lr: -1e999 is out of range (the largest number is 1.7976931348623157e+308; allowed (0, 10])")
    }

    func testLinearStepsGetFinerNearAnEndOfTheRange() {
        let momentum = SettingKind.number(min: 0, max: 1, maxInclusive: false, logScale: false)
        func walk(_ start: String, _ dir: Int, _ n: Int, _ kind: SettingKind = momentum) -> [String] {
            var v = start, out: [String] = []
            for _ in 0..<n { v = SettingRow(name: "m", value: v, kind: kind, help: "").stepped(dir)!; out.append(v) }
            return out
        }
        XCTAssertEqual(walk("0.9", 1, 5), ["0.95", "0.99", "0.995", "0.999", "0.9995"])
        XCTAssertEqual(walk("0.9995", -1, 5), ["0.999", "0.995", "0.99", "0.95", "0.9"])
        XCTAssertEqual(walk("0.1", -1, 3), ["0.05", "0", "0"], "an inclusive end is reached")
        XCTAssertEqual(walk("0.97", 1, 1), ["0.99"])
        let tau = Self.knobs["tau"]!.kind   // (0, 1)
        XCTAssertEqual(walk("0.1", -1, 3, tau), ["0.05", "0.01", "0.005"])
        XCTAssertEqual(walk("0.005", 1, 3, tau), ["0.01", "0.05", "0.1"])
        XCTAssertEqual(walk("0.5", 1, 2, tau), ["0.55", "0.6"], "away from the ends: ±0.05")
    }

    func testChoicesListTheWordsAndMatchAnyCase() {
        XCTAssertEqual(Self.knobs.validate("mode", "pcgrad"), "mode: must be one of none, sym, asym, got 'pcgrad'")
        XCTAssertEqual(try Self.knobs.parse("mode", "SYM"), .word("sym"))
    }

    func testUnknownNamesAreRefusedWithTheNounAndTheNames() {
        XCTAssertEqual(Self.knobs.validate("depth", "2"), "unknown knob 'depth': one of lr, lanes, mode, tau")
    }

    func testApplyWritesOnlyAcceptedValues() throws {
        var k = Knobs()
        let (from, to) = try Self.knobs.apply("lanes", "128", to: &k)
        XCTAssertEqual(from, .number(64)); XCTAssertEqual(to, .number(128)); XCTAssertEqual(k.lanes, 128)
        XCTAssertThrowsError(try Self.knobs.apply("lr", "20", to: &k))
        XCTAssertEqual(k.lr, 0.1, "a refused value changes nothing")
        XCTAssertEqual(Self.knobs.value("mode", of: k), .word("asym"))
    }

    func testRowsCarryTheValueAndStep() {
        let rows = Self.knobs.rows(of: Knobs())
        XCTAssertEqual(rows.map(\.value), ["0.1", "64", "asym", "0.5"])
        XCTAssertEqual(rows[0].numericValue, 0.1); XCTAssertNil(rows[2].numericValue)
        XCTAssertEqual(rows[0].stepped(1), "0.178")
        XCTAssertEqual(rows[1].stepped(-1), "32")
        XCTAssertEqual(rows[2].stepped(1), "none")
        XCTAssertEqual(rows[3].stepped(1), "0.55")
        XCTAssertEqual(rows[1].check("0"), "lanes: must be in 1…512, got 0")
        XCTAssertNil(rows[2].check("none"))
    }

    func testLiftedSettingReadsAndWritesThroughTheOuterValue() throws {
        struct Outer { var knobs = Knobs(); var other = 1 }
        let lifted = LiveSettings<Outer>(Self.knobs.all.map { $0.lifted(get: { $0.knobs }, set: { $0.knobs = $1 }) })
        var o = Outer()
        try lifted.apply("mode", "none", to: &o)
        XCTAssertEqual(o.knobs.mode, "none")
        XCTAssertEqual(lifted.validate("lr", "-1"), "lr: must be in (0, 10], got -1")
    }
}
