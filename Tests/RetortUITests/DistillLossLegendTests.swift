import Foundation
import RetortUI
import Workbench
import XCTest

/// The Distill tab plots the student, teacher and KD step losses; the legend gives each
/// one's latest value beside the average of its newest bucket.
final class DistillLossLegendTests: XCTestCase {
    func testLossChartLegendShowsLatestBesideAverage() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retort-losslegend-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let job = try DistillWorkbenchJob.create(options: [("data", "digits"), ("model", "mlp"), ("hidden", "8,8"), ("epochs", "2"),
                                                           ("threads", "1"), ("test-count", "300")],
                                                 dataDirectory: ScreenTests.dataDir, runRoot: root.path, runName: "loss", tensorBoard: false)
        for _ in 0..<6 { try job.advance() }
        let snap = job.snapshot(state: .paused, messages: [], elapsed: 1)
        var s = UIState(); s.tab = .distill
        let g = Screen(glyphs: .unicodeSet, colour: true).render(s, training: nil, distill: snap, width: 200, height: 50)
        XCTAssertTrue(g.contains("Loss per step (student / teacher / KD)"), g.text)
        func legend(_ name: String, _ series: DownsampledSeries) -> String {
            "\(name) \(String(format: "%.4g", series.last)) (avg \(String(format: "%.4g", series.buckets.last?.mean ?? .nan)))"
        }
        for (name, series) in [("S", snap.studentStepLoss), ("T", snap.teacherStepLoss), ("KD", snap.kdStepLoss)] {
            XCTAssertTrue(g.contains(legend(name, series)), "'\(legend(name, series))' missing:\n\(g.text)")
        }
    }
}
