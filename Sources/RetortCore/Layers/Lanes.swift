/// A block of channels processed together: SIMD16, SIMD8 or a single Float. Kernels are
/// written once, generic over the block, and specialised for each (whole-module build).
protocol FloatLanes {
    static var zero: Self { get }
    /// All lanes = v.
    static func splat(_ v: Float) -> Self
    /// Sum of the lanes.
    func laneSum() -> Float
    static func load(_ p: UnsafePointer<Float>) -> Self
    func store(_ p: UnsafeMutablePointer<Float>)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    /// min(max(self, lo), hi) per lane, as `Swift.min(Swift.max(x, lo), hi)`.
    func clamped(_ lo: Float, _ hi: Float) -> Self
    /// self where lo < v < hi, else 0 (per lane).
    func passing(where v: Self, above lo: Float, below hi: Float) -> Self
    /// self + a·b, fused (one rounding).
    func addingProduct(_ a: Self, _ b: Self) -> Self
}
extension SIMD16: FloatLanes where Scalar == Float {
    @inline(__always) func clamped(_ lo: Float, _ hi: Float) -> Self {
        // Lane-wise Swift.min(Swift.max(x, lo), hi), with max(x, y) = y >= x ? y : x and
        // min(x, y) = y < x ? y : x (so NaN behaves as in the scalar code).
        let lv = Self(repeating: lo), hv = Self(repeating: hi)
        let a = self.replacing(with: lv, where: lv .>= self)
        return a.replacing(with: hv, where: hv .< a)
    }
    @inline(__always) func passing(where v: Self, above lo: Float, below hi: Float) -> Self {
        Self.zero.replacing(with: self, where: (v .> Self(repeating: lo)) .& (v .< Self(repeating: hi)))
    }
    @inline(__always) static func splat(_ v: Float) -> Self { Self(repeating: v) }
    @inline(__always) func laneSum() -> Float { (lowHalf + highHalf).laneSum() }
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
}
extension SIMD8: FloatLanes where Scalar == Float {
    @inline(__always) func clamped(_ lo: Float, _ hi: Float) -> Self {
        // Lane-wise Swift.min(Swift.max(x, lo), hi), with max(x, y) = y >= x ? y : x and
        // min(x, y) = y < x ? y : x (so NaN behaves as in the scalar code).
        let lv = Self(repeating: lo), hv = Self(repeating: hi)
        let a = self.replacing(with: lv, where: lv .>= self)
        return a.replacing(with: hv, where: hv .< a)
    }
    @inline(__always) func passing(where v: Self, above lo: Float, below hi: Float) -> Self {
        Self.zero.replacing(with: self, where: (v .> Self(repeating: lo)) .& (v .< Self(repeating: hi)))
    }
    @inline(__always) static func splat(_ v: Float) -> Self { Self(repeating: v) }
    /// Pairwise (tree) sum: a few shuffles instead of a serial chain of scalar adds.
    @inline(__always) func laneSum() -> Float {
        let q = lowHalf + highHalf          // 4 lanes
        let d = q.lowHalf + q.highHalf      // 2 lanes
        return d.x + d.y
    }
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
}
extension Float: FloatLanes {
    @inline(__always) func clamped(_ lo: Float, _ hi: Float) -> Float { Swift.min(Swift.max(self, lo), hi) }
    @inline(__always) func passing(where v: Float, above lo: Float, below hi: Float) -> Float { v > lo && v < hi ? self : 0 }
    @inline(__always) static func splat(_ v: Float) -> Float { v }
    @inline(__always) func laneSum() -> Float { self }
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Float { p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { p.pointee = self }
}

/// Covers channels 0..<c with blocks of 16 lanes (`body16(first channel)`), then one of 8, then single channels.
@inline(__always)
func forEachChannelBlock(_ c: Int, _ body16: (Int) -> Void, _ body8: (Int) -> Void, _ body1: (Int) -> Void) {
    var ch = 0
    while ch + 16 <= c { body16(ch); ch += 16 }
    if ch + 8 <= c { body8(ch); ch += 8 }
    while ch < c { body1(ch); ch += 1 }
}

