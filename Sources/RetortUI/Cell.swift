/// One terminal cell: a character with foreground/background colour roles and attributes.
/// The UI renders into a grid of these (pure Swift, testable without a terminal); only the
/// ncurses backend turns them into curses calls.
public struct Cell: Equatable, Sendable {
    public var char: Character
    public var fg: ColorRole
    public var bg: ColorRole
    public var attrs: Attributes
    public init(_ char: Character = " ", fg: ColorRole = .fg, bg: ColorRole = .bg, attrs: Attributes = []) {
        self.char = char; self.fg = fg; self.bg = bg; self.attrs = attrs
    }
    public static let blank = Cell()
}

public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let reverse = Attributes(rawValue: 4)
    public static let underline = Attributes(rawValue: 8)
}

/// Semantic colour roles; a theme maps each to a colour. `ramp(i)` indexes a heat/gradient
/// ramp of `ColorRole.rampSteps` steps.
public enum ColorRole: Hashable, Sendable {
    case fg, bg, title, border, highlight, selectedFg, selectedBg, inactive, error, ok, warn, axis
    case series(Int)
    case ramp(Int)
    public static let rampSteps = 16
}
