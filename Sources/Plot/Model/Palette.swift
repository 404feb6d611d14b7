/// Okabe–Ito, the colour-blind-safe qualitative palette (Okabe & Ito 2008), black last.
public enum Palette {
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xE69F00), Color(hex: 0x009E73), Color(hex: 0xD55E00),
        Color(hex: 0xCC79A7), Color(hex: 0x56B4E9), Color(hex: 0xF0E442), Color(hex: 0x000000),
    ]
    /// The i-th series colour (cycling).
    public static func color(_ i: Int) -> Color { okabeIto[((i % okabeIto.count) + okabeIto.count) % okabeIto.count] }

    /// A sequential, colour-blind-safe map for 0…1 (viridis, linearly between 9 stops).
    public static func sequential(_ t: Double) -> Color {
        let stops: [UInt32] = [0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725]
        let v = t.isFinite ? min(1, max(0, t)) : 0
        let p = v * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(p)), f = p - Double(i)
        let a = Color(hex: stops[i]), b = Color(hex: stops[i + 1])
        return Color(a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f)
    }
}
