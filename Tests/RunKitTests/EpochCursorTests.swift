import RetortCore
import RunKit
import XCTest

/// The epoch cursor the three engines share: one shuffled order per epoch, batches in it,
/// epochs and samples counted, and only positions that fit the data set restored.
final class EpochCursorTests: XCTestCase {
    struct Bad: Error, CustomStringConvertible { let description: String }

    func testWalksEachEpochsShuffledOrderInBatches() {
        var c = EpochCursor(rows: 10)
        var rng = RNG(seed: 7)
        XCTAssertTrue(c.atEpochStart)
        XCTAssertTrue(c.startEpochIfDue(rng: &rng))
        var expected = Array(0..<10); var r2 = RNG(seed: 7); r2.shuffle(&expected)
        XCTAssertEqual(c.order, expected)
        XCTAssertEqual(Array(c.take(4)), Array(expected[0..<4]))
        XCTAssertFalse(c.startEpochIfDue(rng: &rng), "mid-epoch: no new order")
        XCTAssertFalse(c.finishEpochIfDone())
        c.count(4)
        XCTAssertEqual(Array(c.take(4)), Array(expected[4..<8]))
        let last = c.take(4)
        XCTAssertEqual(Array(last), Array(expected[8..<10]), "the last batch is short")
        XCTAssertEqual(last.endIndex, 10)
        c.count(6)
        XCTAssertTrue(c.finishEpochIfDone())
        XCTAssertEqual(c.epoch, 1)
        XCTAssertEqual(c.samplesSeen, 10)
        XCTAssertTrue(c.atEpochStart)
        XCTAssertTrue(c.startEpochIfDue(rng: &rng))
        XCTAssertNotEqual(c.order, expected, "every epoch draws a new order")
    }

    func testRestoresARecordedPositionAndRefusesOneThatDoesNotFit() throws {
        let c = try EpochCursor(rows: 4, order: [2, 0, 3, 1], position: 2, epoch: 3, samplesSeen: 14, bad: { Bad(description: $0) })
        XCTAssertEqual(c.position, 2); XCTAssertEqual(c.epoch, 3); XCTAssertEqual(c.samplesSeen, 14); XCTAssertFalse(c.atEpochStart)
        for (order, position) in [([2, 0, 3, 1], 5), ([2, 0, 3], 1), ([2, 0, 3, 4], 1), ([2, 0, 3, 1], -1)] {
            XCTAssertThrowsError(try EpochCursor(rows: 4, order: order, position: position, epoch: 0, samplesSeen: 0, bad: { Bad(description: $0) })) {
                XCTAssertEqual("\($0)", "epoch position does not fit the data set")
            }
        }
        XCTAssertNoThrow(try EpochCursor(rows: 4, order: [], position: 0, epoch: 0, samplesSeen: 0, bad: { Bad(description: $0) }))
    }
}

final class LRScheduleTests: XCTestCase {
    func testWarmUpThenCosineInSamplesWithTheFloorCappedAtTheBaseRate() {
        let s = LRSchedule(baseLR: 0.1, minLR: 0.01, warmupEpochs: 0.5, epochs: 2, rowsPerEpoch: 100)
        XCTAssertEqual(s.lr(after: 0), Float(0.1 / 50), accuracy: 1e-9, "warm-up over half an epoch (50 samples)")
        XCTAssertEqual(s.lr(after: 49), 0.1, accuracy: 1e-7)
        XCTAssertEqual(s.lr(after: 50), 0.1, accuracy: 1e-7)
        XCTAssertEqual(s.lr(after: 125), Float(0.01 + 0.09 * 0.5), accuracy: 1e-6, "half-way through the cosine")
        XCTAssertEqual(s.lr(after: 200), 0.01, accuracy: 1e-7)
        XCTAssertEqual(s.lr(after: 500), 0.01, accuracy: 1e-7)
        let low = LRSchedule(baseLR: 0.001, minLR: 0.01, warmupEpochs: 0, epochs: 1, rowsPerEpoch: 10)
        XCTAssertEqual(low.lr(after: 10), 0.001, "the floor never exceeds the base rate")
    }
}
