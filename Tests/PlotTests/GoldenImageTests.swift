import CCairo
import Foundation
import Plot
import XCTest

/// Every figure kind drawn from the fixture data (tools/plot/make_fixtures.py) at 150 dpi and
/// compared with the committed golden PNG within `ImageDifference`'s tolerance.
/// `tools/plot/make_goldens.sh` writes new goldens (RETORT_PLOT_WRITE_GOLDENS=1).
final class GoldenImageTests: XCTestCase {
    static let dpi = 150.0

    static func runs() throws -> [Curves.Run] {
        try ["sgd-s1", "sgd-s2", "sgd-s3", "adam-s1", "adam-s2", "adam-s3"].map { try Curves.read(run: Fixtures.data("runs/" + $0), metric: "test_acc") }
    }

    static func figures() throws -> [(String, Figure)] {
        let cos = try CosineHistogram.read(run: Fixtures.data("distill"))
        let timeline = try Timeline.read(Fixtures.data("timeline.csv"), attention: "taylor")
        return [
            ("curves", Curves.figure(try runs(), metric: "test accuracy", groupBy: nil)),
            ("curves-wide", Curves.figure(try runs(), metric: "test accuracy", groupBy: nil, size: .wide)),
            ("cosine", CosineHistogram.figure(before: cos.before, after: cos.after)),
            ("heatmap", timeline.heatmap()),
            ("gantt", timeline.gantt()),
            ("bars", try SweepCharts.bars(summary: CSVTable.read(Fixtures.data("sweep/summary.csv")), metric: "test_acc")),
            ("pareto", try SweepCharts.pareto(CSVTable.read(Fixtures.data("sweep/pareto.csv")))),
        ]
    }

    func testFiguresMatchTheirGoldens() throws {
        let write = ProcessInfo.processInfo.environment["RETORT_PLOT_WRITE_GOLDENS"] == "1"
        for (name, figure) in try Self.figures() {
            let image = try CairoRenderer.image(figure, dpi: Self.dpi)
            defer { cairo_surface_destroy(image) }
            if write {
                try FileManager.default.createDirectory(at: Fixtures.sourceGoldens, withIntermediateDirectories: true)
                XCTAssertEqual(cairo_surface_write_to_png(image, Fixtures.sourceGoldens.appendingPathComponent(name + ".png").path), CAIRO_STATUS_SUCCESS)
                continue
            }
            let golden = cairo_image_surface_create_from_png(Fixtures.golden(name))!
            defer { cairo_surface_destroy(golden) }
            XCTAssertEqual(cairo_surface_status(golden), CAIRO_STATUS_SUCCESS, "golden \(name).png missing or unreadable")
            let d = try XCTUnwrap(ImageDifference.between(image, golden), "\(name): size differs from the golden")
            XCTAssertTrue(d.withinTolerance, "\(name): mean difference \(d.mean), \(100 * d.differing) % of pixels differ")
        }
    }

    /// The comparison sees a real change: one seed fewer, or another palette slot, is not the golden.
    func testToleranceCatchesChangedFigures() throws {
        let golden = cairo_image_surface_create_from_png(Fixtures.golden("curves"))!
        defer { cairo_surface_destroy(golden) }
        var runs = try Self.runs()
        runs.remove(at: 0)
        var changed = [Curves.figure(runs, metric: "test accuracy", groupBy: nil)]
        var recoloured = Curves.figure(try Self.runs(), metric: "test accuracy", groupBy: nil)
        recoloured.marks = recoloured.marks.map { m in
            if case .line(let p, _, let w, let d) = m { return .line(p, color: Palette.color(3), width: w, dashed: d) }
            return m
        }
        changed.append(recoloured)
        for f in changed {
            let image = try CairoRenderer.image(f, dpi: Self.dpi)
            defer { cairo_surface_destroy(image) }
            let d = try XCTUnwrap(ImageDifference.between(image, golden))
            XCTAssertFalse(d.withinTolerance, "mean \(d.mean), differing \(d.differing)")
        }
    }
}
