import Foundation
import RunKit
import XCTest

/// The epoch totals behind the train loss, train accuracy and samples/s of an epoch summary.
final class EpochTotalsTests: XCTestCase {
    func testSampleWeightedMeansAndResetKeepRestoredSums() {
        var t = EpochTotals()
        let t0 = DispatchTime.now().uptimeNanoseconds
        t.add(loss: 2, accuracy: 0.5, samples: 3, since: t0)
        t.add(loss: 1, accuracy: 1, samples: 1, since: t0)
        XCTAssertEqual(t.samples, 4)
        XCTAssertEqual(t.meanLoss, 1.75)
        XCTAssertEqual(t.meanAccuracy, 0.625)
        XCTAssertGreaterThan(t.samplesPerSecond, 0)
        let r = EpochTotals(loss: t.loss, correct: t.correct, samples: t.samples, trainSeconds: t.trainSeconds)
        XCTAssertEqual(r.meanLoss, t.meanLoss)
        XCTAssertEqual(r.trainSeconds, t.trainSeconds)
        t.reset()
        XCTAssertEqual(t.samples, 0); XCTAssertEqual(t.loss, 0); XCTAssertEqual(t.correct, 0); XCTAssertEqual(t.trainSeconds, 0)
    }

    func testEpochSecondsCountOnlyTimeInsideSteps() {
        var t = EpochTotals()
        let s = UInt64(1_000_000_000)
        t.addActive(from: 10 * s, to: 12 * s)        // a 2 s step
        // an hour paused between steps is never added
        XCTAssertEqual(t.epochSeconds(stepStart: 3612 * s, now: 3615 * s), 5)   // + the 3 s epoch-end step
        XCTAssertEqual(EpochTotals.seconds(from: 5 * s, to: 4 * s), 0)
        t.reset()
        XCTAssertEqual(t.activeSeconds, 0)
        XCTAssertEqual(EpochTotals(loss: 0, correct: 0, samples: 0, trainSeconds: 7).activeSeconds, 7, "a restored epoch's time so far")
    }
}
