import RetortCore

/// How a batch's `x` tensor is shaped.
public enum BatchLayout: Sendable {
    /// `[B, featureCount]`, for dense layers.
    case flat
    /// `[B, H, W, C]` (NHWC) from the data set's `imageShape`, for convolutions.
    case image
}

/// One mini-batch: `x` holds rows `indices` of the data set, `labels` their labels.
public struct Batch {
    /// `[B, features]` or `[B, H, W, C]`. With `reuseBuffer: true` (the default) this
    /// tensor shares memory with the other batches of the same epoch: it is valid
    /// until the next batch is taken — `copy()` it to keep it longer.
    public let x: Tensor
    public let labels: [Int]
    /// The data-set rows in this batch, in batch order.
    public let indices: [Int]
    public var count: Int { labels.count }
}

/// Cuts a data set into mini-batches, one pass per epoch. With `shuffle` (default),
/// each epoch visits the rows in an order drawn from `seed` and the epoch number,
/// so `batches(epoch: 3)` is the same whenever and however often it is asked for.
public struct Batcher: Sendable {
    public let dataset: Dataset
    public let batchSize: Int
    public let layout: BatchLayout
    /// Drop the last batch when it would be smaller than `batchSize`.
    public let dropLast: Bool
    public let shuffle: Bool
    public let seed: UInt64
    /// Fill one per-epoch buffer instead of allocating a tensor per batch.
    public let reuseBuffer: Bool

    public init(dataset: Dataset, batchSize: Int, layout: BatchLayout = .flat, dropLast: Bool = false,
                shuffle: Bool = true, seed: UInt64 = 0, reuseBuffer: Bool = true) {
        precondition(batchSize > 0, "batchSize must be positive")
        precondition(layout == .flat || dataset.imageShape != nil,
                     "\(dataset.name) has no image shape; use layout .flat")
        self.dataset = dataset; self.batchSize = batchSize; self.layout = layout
        self.dropLast = dropLast; self.shuffle = shuffle; self.seed = seed; self.reuseBuffer = reuseBuffer
    }

    /// Batches in one epoch.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// Samples seen in one epoch (all of them unless `dropLast` cuts a partial batch).
    public var samplesPerEpoch: Int { dropLast ? batchesPerEpoch * batchSize : dataset.count }

    /// The visiting order of rows in `epoch`.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<dataset.count)
        if shuffle {
            var rng = RNG(seed: Self.mix(seed ^ Self.mix(UInt64(bitPattern: Int64(epoch)) &+ 0x632B_E59B_D9B4_E019)))
            rng.shuffle(&order)
        }
        return order
    }

    /// The batches of `epoch`, lazily.
    public func batches(epoch: Int) -> EpochBatches {
        EpochBatches(batcher: self, order: order(epoch: epoch))
    }

    /// Shape of a batch of `b` rows.
    func shape(rows b: Int) -> [Int] {
        switch layout {
        case .flat: return [b, dataset.featureCount]
        case .image:
            let s = dataset.imageShape!
            return [b, s.height, s.width, s.channels]
        }
    }

    /// SplitMix64 finaliser: spreads (seed, epoch) so nearby epochs get unrelated orders.
    private static func mix(_ v: UInt64) -> UInt64 {
        var z = v &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The batches of one epoch; iterate with `for batch in batcher.batches(epoch: e)`.
public struct EpochBatches: Sequence {
    let batcher: Batcher
    /// Row order for this epoch.
    public let order: [Int]

    public var count: Int { batcher.batchesPerEpoch }

    public func makeIterator() -> Iterator { Iterator(batcher: batcher, order: order) }

    public struct Iterator: IteratorProtocol {
        let batcher: Batcher
        let order: [Int]
        var position = 0
        var emitted = 0
        /// The per-epoch buffer when reusing (allocated on the first batch).
        var storage: Storage?

        init(batcher: Batcher, order: [Int]) {
            self.batcher = batcher; self.order = order
        }

        public mutating func next() -> Batch? {
            guard emitted < batcher.batchesPerEpoch else { return nil }
            let b = Swift.min(batcher.batchSize, order.count - position)
            let fc = batcher.dataset.featureCount
            let shape = batcher.shape(rows: b)
            let x: Tensor
            if batcher.reuseBuffer {
                if storage == nil { storage = Storage(capacity: batcher.batchSize * fc) }
                x = Tensor(view: storage!, offset: 0, shape: shape)
            } else {
                x = Tensor(shape: shape)
            }
            let idx = Array(order[position..<(position + b)])
            var labels = [Int]()
            labels.reserveCapacity(b)
            let ds = batcher.dataset
            ds.features.withUnsafeBufferPointer { f in
                let src = f.baseAddress!
                for (k, i) in idx.enumerated() {
                    (x.data + k * fc).update(from: src + i * fc, count: fc)
                    labels.append(ds.labels[i])
                }
            }
            position += b
            emitted += 1
            return Batch(x: x, labels: labels, indices: idx)
        }
    }
}
