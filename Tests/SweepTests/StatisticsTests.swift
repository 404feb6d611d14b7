import XCTest
import Sweep

final class StatisticsTests: XCTestCase {
    func testStudentTQuantilesMatchTheTables() {
        // two-sided 95 % critical values (t_{0.975, df}) from the standard tables
        let table: [(Int, Double)] = [(1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (5, 2.5706), (9, 2.2622),
                                      (10, 2.2281), (20, 2.0860), (30, 2.0423), (120, 1.9799)]
        for (df, t) in table { XCTAssertEqual(StudentT.quantile(0.975, df: df), t, accuracy: 5e-4, "df \(df)") }
        XCTAssertEqual(StudentT.cdf(0, df: 4), 0.5, accuracy: 1e-12)
        XCTAssertEqual(StudentT.cdf(1, df: 1), 0.75, accuracy: 1e-9)   // Cauchy: 1/2 + atan(1)/π
    }

    func testSummaryByHand() {
        // 1, 2, 3, 4: mean 2.5, var 5/3, std 1.290994, CI half-width 3.182446 · 1.290994 / 2 = 2.054260
        let s = SampleSummary([1, 2, 3, 4])
        XCTAssertEqual(s.n, 4)
        XCTAssertEqual(s.mean, 2.5)
        XCTAssertEqual(s.std!, 1.2909944, accuracy: 1e-6)
        XCTAssertEqual(s.ci95!.low, 2.5 - 2.0542600, accuracy: 1e-5)
        XCTAssertEqual(s.ci95!.high, 2.5 + 2.0542600, accuracy: 1e-5)
        let one = SampleSummary([7])
        XCTAssertEqual(one.mean, 7)
        XCTAssertNil(one.std)
        XCTAssertNil(one.ci95)
    }

    func testParetoFront() {
        let pts: [[Double]] = [[1, 5, 2], [2, 2, 2], [3, 3, 3], [2, 2, 2], [5, 1, 1], [1, 5, 3]]
        // [3,3,3] is dominated by [2,2,2]; [1,5,3] by [1,5,2]; equal points do not dominate each other
        XCTAssertEqual(Pareto.front(pts), [true, true, false, true, true, false])
        XCTAssertEqual(Pareto.front([]), [])
    }

    func testMetricDirection() {
        XCTAssertTrue(MetricDirection.lowerIsBetter("test_loss"))
        XCTAssertTrue(MetricDirection.lowerIsBetter("latency_cycles"))
        XCTAssertFalse(MetricDirection.lowerIsBetter("test_acc"))
    }
}
