import CCairo
import Foundation
import Plot
import XCTest

enum Fixtures {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static func data(_ path: String) -> String { root.appendingPathComponent("data").appendingPathComponent(path).path }
    static func golden(_ name: String) -> String { root.appendingPathComponent("golden").appendingPathComponent(name + ".png").path }
    /// Where `tools/plot/make_goldens.sh` has the golden test write new goldens (the source tree's folder).
    static let sourceGoldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")
}

/// A fresh temporary directory, removed when released.
final class TempDir {
    let url: URL
    init() {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("retort-plot-" + UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// How far two images are apart: the mean absolute difference of the colour channels (0…255)
/// and the fraction of pixels with a channel more than 48 apart; nil when the sizes differ.
struct ImageDifference {
    let mean: Double, differing: Double

    static func between(_ a: OpaquePointer, _ b: OpaquePointer) -> ImageDifference? {
        let w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a)
        guard w == cairo_image_surface_get_width(b), h == cairo_image_surface_get_height(b), w > 0, h > 0 else { return nil }
        let sa = Int(cairo_image_surface_get_stride(a)), sb = Int(cairo_image_surface_get_stride(b))
        let pa = cairo_image_surface_get_data(a)!, pb = cairo_image_surface_get_data(b)!
        var sum = 0, bad = 0
        for y in 0..<Int(h) {
            for x in 0..<Int(w) {
                var worst = 0
                for c in 0..<3 {
                    let d = abs(Int(pa[y * sa + 4 * x + c]) - Int(pb[y * sb + 4 * x + c]))
                    sum += d; worst = max(worst, d)
                }
                if worst > 48 { bad += 1 }
            }
        }
        let n = Double(Int(w) * Int(h))
        return ImageDifference(mean: Double(sum) / (3 * n), differing: Double(bad) / n)
    }

    /// Fonts may differ slightly between machines (hinting, a fontconfig substitute): within
    /// this tolerance the figure is the same.
    var withinTolerance: Bool { mean <= 0.3 && differing <= 0.003 }
}
