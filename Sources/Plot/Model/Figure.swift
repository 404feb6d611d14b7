/// An RGB colour with opacity, components in 0…1.
public struct Color: Equatable, Sendable {
    public var r, g, b, a: Double
    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(Double(hex >> 16 & 0xFF) / 255, Double(hex >> 8 & 0xFF) / 255, Double(hex & 0xFF) / 255, alpha)
    }
    public func withAlpha(_ a: Double) -> Color { Color(r, g, b, a) }
    public static let black = Color(0, 0, 0), white = Color(1, 1, 1), grey = Color(hex: 0x999999), lightGrey = Color(hex: 0xDDDDDD)
}

/// A point in data coordinates.
public struct DataPoint: Equatable, Sendable {
    public var x, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// What an axis shows: numbers on a linear scale (the range from the data unless given), or
/// named categories at 0, 1, 2, … (bars, heatmap rows).
public enum AxisScale: Equatable, Sendable {
    case linear(min: Double? = nil, max: Double? = nil)
    case categories([String])
}

public struct Axis: Equatable, Sendable {
    public var label: String
    public var scale: AxisScale
    public init(_ label: String, _ scale: AxisScale = .linear()) { self.label = label; self.scale = scale }
}

/// Something drawn inside the axes, in data coordinates.
public enum Mark: Equatable, Sendable {
    /// A polyline; points with a non-finite coordinate break it.
    case line([DataPoint], color: Color, width: Double = 1, dashed: Bool = false)
    /// A filled band between `low` and `high` over `x` (mean ± std).
    case band(x: [Double], low: [Double], high: [Double], color: Color)
    /// A bar from 0 to `height` centred on `x`, `width` wide, with an optional error bar.
    case bar(x: Double, height: Double, width: Double, color: Color, error: ClosedRange<Double>? = nil)
    /// A filled rectangle spanning x0…x1 × y0…y1 (histogram bins, Gantt bars, heatmap cells).
    case rect(x0: Double, x1: Double, y0: Double, y1: Double, color: Color)
    /// Dots of `radius` points; hollow ones are outlined only.
    case dots([DataPoint], color: Color, radius: Double = 2, hollow: Bool = false)
}

/// A legend entry: its label and how its sample is drawn.
public struct LegendEntry: Equatable, Sendable {
    public enum Sample: Equatable, Sendable { case line(dashed: Bool), box, dot }
    public var label: String
    public var color: Color
    public var sample: Sample
    public init(_ label: String, _ color: Color, _ sample: Sample) { self.label = label; self.color = color; self.sample = sample }
}

/// A colour bar beside the axes (for a heatmap): `map` from `min` to `max`.
public struct ColorBar: Equatable, Sendable {
    public var label: String
    public var min: Double, max: Double
    public init(label: String, min: Double, max: Double) { self.label = label; self.min = min; self.max = max }
}

/// One figure: a single set of axes with marks, a legend above it and an optional colour
/// bar, sized in points (1/72 in) for a two-column paper.
public struct Figure: Equatable, Sendable {
    public var width: Double
    public var height: Double
    public var title: String?
    public var x: Axis
    public var y: Axis
    public var marks: [Mark]
    public var legend: [LegendEntry]
    public var colorBar: ColorBar?
    /// Horizontal grid lines at the y ticks.
    public var grid: Bool

    public init(size: FigureSize = .single, title: String? = nil, x: Axis, y: Axis, marks: [Mark] = [], legend: [LegendEntry] = [],
                colorBar: ColorBar? = nil, grid: Bool = true) {
        width = size.width; height = size.height
        self.title = title; self.x = x; self.y = y; self.marks = marks; self.legend = legend; self.colorBar = colorBar; self.grid = grid
    }
}

/// Paper sizes: a single column (3.4 in) or the full width of a two-column page (7.0 in).
public struct FigureSize: Equatable, Sendable {
    public var width: Double, height: Double
    public init(width: Double, height: Double) { self.width = width; self.height = height }
    public static let single = FigureSize(width: 3.4 * 72, height: 2.3 * 72)
    public static let wide = FigureSize(width: 7.0 * 72, height: 2.6 * 72)
}

/// Type sizes (points) and line widths for a two-column paper.
public enum Style {
    public static let tickFont = 8.0
    public static let labelFont = 9.0
    public static let lineWidth = 1.0
    public static let axisWidth = 0.6
    public static let fontFamily = "DejaVu Sans"
}
