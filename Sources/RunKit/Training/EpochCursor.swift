import RetortCore

/// Where a run is in its data: the current epoch's shuffled order of the training rows, how
/// many rows of it are done, the epochs completed and the samples trained on (the LR
/// schedule's position). The three engines walk their training split with it, and their
/// checkpoints record and restore it.
public struct EpochCursor: Sendable, Equatable {
    /// Rows of the training split.
    public let rows: Int
    /// The current epoch's order (empty before the first epoch starts).
    public private(set) var order: [Int] = []
    /// Rows of `order` done.
    public private(set) var position = 0
    /// Epochs completed.
    public private(set) var epoch = 0
    /// Samples trained on so far.
    public private(set) var samplesSeen = 0

    public init(rows: Int) { self.rows = rows }

    /// A cursor as a checkpoint recorded it; one line (`bad`) when it does not fit `rows`.
    public init(rows: Int, order: [Int], position: Int, epoch: Int, samplesSeen: Int, bad: (String) -> Error) throws {
        guard position >= 0, position <= order.count, order.allSatisfy({ $0 >= 0 && $0 < rows }),
              order.isEmpty || order.count == rows else { throw bad("epoch position does not fit the data set") }
        self.rows = rows
        self.order = order; self.position = position; self.epoch = epoch; self.samplesSeen = samplesSeen
    }

    /// True before the first batch of an epoch.
    public var atEpochStart: Bool { position == 0 }

    /// At an epoch's start, shuffles a fresh order of all rows with `rng` and returns true
    /// (the caller resets its epoch totals); otherwise does nothing and returns false.
    public mutating func startEpochIfDue(rng: inout RNG) -> Bool {
        guard position == 0 else { return false }
        order = Array(0..<rows); rng.shuffle(&order)
        return true
    }

    /// The rows of the next batch (at most `batchSize`, fewer at the epoch's end), moving past them.
    public mutating func take(_ batchSize: Int) -> ArraySlice<Int> {
        let end = min(order.count, position + batchSize)
        defer { position = end }
        return order[position..<end]
    }

    /// Counts `samples` trained on (after a step that did not diverge).
    public mutating func count(_ samples: Int) { samplesSeen += samples }

    /// When every row of the epoch is done: starts the next epoch (`epoch` + 1) and returns true.
    public mutating func finishEpochIfDone() -> Bool {
        guard position >= order.count else { return false }
        position = 0
        epoch += 1
        return true
    }
}
