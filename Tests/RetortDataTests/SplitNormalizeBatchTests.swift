import Foundation
import XCTest
import RetortCore
import RetortData

final class SplitTests: XCTestCase {
    func testSplitIsDeterministicBySeed() throws {
        let d = try Dataset.load(sample: .digits, in: sampleDataDirectory())
        let a = d.split(testCount: 300, seed: 42), b = d.split(testCount: 300, seed: 42)
        XCTAssertEqual(a.train.count, 1497)
        XCTAssertEqual(a.test.count, 300)
        XCTAssertEqual(a.train.features, b.train.features)
        XCTAssertEqual(a.train.labels, b.train.labels)
        XCTAssertEqual(a.test.features, b.test.features)
        XCTAssertEqual(a.test.labels, b.test.labels)
        XCTAssertEqual(a.train.imageShape, d.imageShape)
        XCTAssertEqual(a.train.valueRange, d.valueRange)
        XCTAssertEqual(a.test.name, "digits_8x8/test")

        let c = d.split(testCount: 300, seed: 43)
        XCTAssertNotEqual(a.test.labels, c.test.labels)
    }

    func testSplitPartitionsTheRows() {
        // Features encode the row index, so the parts can be traced back.
        let n = 103
        let d = Dataset(name: "ids", features: (0..<n).map(Float.init), labels: (0..<n).map { $0 % 3 },
                        featureCount: 1, classCount: 3)
        let (train, test) = d.split(testFraction: 0.2, seed: 7)
        XCTAssertEqual(test.count, 21)  // round(20.6)
        XCTAssertEqual(train.count, 82)
        let ids = (train.features + test.features).map { Int($0) }
        XCTAssertEqual(Set(ids), Set(0..<n))
        XCTAssertEqual(ids.count, n)
        for (i, f) in train.features.enumerated() { XCTAssertEqual(train.labels[i], Int(f) % 3) }
        XCTAssertNotEqual(train.features.map { Int($0) }, Array(train.features.map { Int($0) }.sorted()))  // shuffled
        XCTAssertEqual(d.permutation(seed: 7), d.permutation(seed: 7))
        XCTAssertEqual(d.split(testCount: 0, seed: 1).train.count, n)
        XCTAssertEqual(d.split(testCount: n, seed: 1).test.count, n)
    }
}

final class NormalizerTests: XCTestCase {
    /// Train rows hold small values, test rows large ones: statistics must come from train only.
    func makeParts() -> (train: Dataset, test: Dataset) {
        let train = Dataset(name: "t", features: [0, 10, 20, 30,  40, 10, 60, 30,  80, 10, 100, 30],
                            labels: [0, 1, 2], featureCount: 4, classCount: 3, valueRange: 0...200)
        let test = Dataset(name: "v", features: [200, 200, 200, 200], labels: [1],
                           featureCount: 4, classCount: 3, valueRange: 0...200)
        return (train, test)
    }

    func testScaleOnly() {
        let (train, test) = makeParts()
        let n = Normalizer(fitOn: train)
        XCTAssertEqual(n.low, 0); XCTAssertEqual(n.high, 200)
        XCTAssertEqual(n.apply(to: test).features, [1, 1, 1, 1])
        XCTAssertEqual(n.apply(to: train).features[2], 0.1)
        let edges = Dataset(name: "e", features: [0, 255, 17, 254], labels: [0], featureCount: 4, classCount: 1,
                            valueRange: 0...255)
        let e = Normalizer(fitOn: edges).apply(to: edges).features
        XCTAssertEqual(e[0], 0); XCTAssertEqual(e[1], 1)  // exactly
        XCTAssertTrue(e.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(n.apply(to: train).valueRange, 0...1)
    }

    func testPerFeatureStatisticsFromTrainOnly() {
        let (train, test) = makeParts()
        let n = Normalizer(fitOn: train, standardization: .perFeature)
        // scaled train columns: [0, .2, .4], [.05 ×3], [.1, .3, .5], [.15 ×3]
        XCTAssertEqual(n.mean[0], 0.2, accuracy: 1e-6)
        XCTAssertEqual(n.mean[1], 0.05, accuracy: 1e-6)
        XCTAssertEqual(n.mean[2], 0.3, accuracy: 1e-6)
        XCTAssertEqual(n.std[0], Float((0.08 / 3).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(n.std[1], 1)  // constant feature: only centred
        let t = n.apply(to: test)
        XCTAssertEqual(t.features[0], (1 - 0.2) / Float((0.08 / 3).squareRoot()), accuracy: 1e-4)
        XCTAssertEqual(t.features[1], 0.95, accuracy: 1e-6)
        XCTAssertNil(t.valueRange)
        // train itself becomes zero-mean per feature
        let tr = n.apply(to: train)
        for j in 0..<4 {
            let col = (0..<3).map { tr.features[$0 * 4 + j] }
            XCTAssertEqual(col.reduce(0, +) / 3, 0, accuracy: 1e-6)
        }
        // fitting on train + test would give different statistics
        let all = Dataset(name: "all", features: train.features + test.features, labels: train.labels + test.labels,
                          featureCount: 4, classCount: 3, valueRange: 0...200)
        XCTAssertNotEqual(Normalizer(fitOn: all, standardization: .perFeature).mean, n.mean)
    }

    func testGlobalStatisticsFromTrainOnly() {
        let (train, test) = makeParts()
        let n = Normalizer(fitOn: train, standardization: .global)
        let scaled = train.features.map { Double($0) / 200 }
        let m = scaled.reduce(0, +) / Double(scaled.count)
        let s = (scaled.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(scaled.count)).squareRoot()
        XCTAssertEqual(n.mean, [Float(m)])
        XCTAssertEqual(n.std[0], Float(s), accuracy: 1e-6)
        XCTAssertEqual(n.apply(to: test).features[0], Float((1 - m) / s), accuracy: 1e-5)
    }

    func testUnknownRangeUsesTrainMinMax() {
        let train = Dataset(name: "t", features: [2, 4, 6, 10], labels: [0, 1], featureCount: 2, classCount: 2)
        let n = Normalizer(fitOn: train)
        XCTAssertEqual(n.low, 2); XCTAssertEqual(n.high, 10)
        var one: [Float] = [6, 14]
        n.apply(toFeatures: &one)
        XCTAssertEqual(one, [0.5, 1.5])
    }

    func testNormalizerIsCodable() throws {
        let n = Normalizer(fitOn: makeParts().train, standardization: .perFeature)
        let back = try JSONDecoder().decode(Normalizer.self, from: JSONEncoder().encode(n))
        XCTAssertEqual(back, n)
    }
}

final class BatcherTests: XCTestCase {
    /// 103 rows whose single... features encode the row id: row i = [i, i, …].
    func ids(_ n: Int, side: Int = 2) -> Dataset {
        let fc = side * side
        return Dataset(name: "ids", features: (0..<n).flatMap { Array(repeating: Float($0), count: fc) },
                       labels: (0..<n).map { $0 % 10 }, featureCount: fc, classCount: 10,
                       imageShape: ImageShape(height: side, width: side))
    }

    func testEveryRowExactlyOncePerEpoch() {
        let d = ids(103)
        let b = Batcher(dataset: d, batchSize: 10, seed: 5)
        XCTAssertEqual(b.batchesPerEpoch, 11)
        for epoch in 0..<3 {
            var seen = [Int]()
            var sizes = [Int]()
            for batch in b.batches(epoch: epoch) {
                XCTAssertEqual(batch.x.shape, [batch.count, 4])
                for k in 0..<batch.count {
                    let id = Int(batch.x[k * 4])
                    XCTAssertEqual(id, batch.indices[k])
                    XCTAssertEqual(batch.x[k * 4 + 3], Float(id))
                    XCTAssertEqual(batch.labels[k], id % 10)
                    seen.append(id)
                }
                sizes.append(batch.count)
            }
            XCTAssertEqual(sizes, Array(repeating: 10, count: 10) + [3])
            XCTAssertEqual(seen.count, 103)
            XCTAssertEqual(Set(seen), Set(0..<103))
        }
    }

    func testDropLast() {
        let b = Batcher(dataset: ids(103), batchSize: 10, dropLast: true, seed: 5)
        XCTAssertEqual(b.batchesPerEpoch, 10)
        XCTAssertEqual(b.samplesPerEpoch, 100)
        let all = b.batches(epoch: 0).flatMap { $0.indices }
        XCTAssertEqual(all.count, 100)
        XCTAssertEqual(Set(all).count, 100)
        XCTAssertTrue(b.batches(epoch: 0).allSatisfy { $0.count == 10 })
    }

    func testReproducibleBySeedAndEpoch() {
        let d = ids(50)
        let a = Batcher(dataset: d, batchSize: 8, seed: 99), b = Batcher(dataset: d, batchSize: 8, seed: 99)
        XCTAssertEqual(a.batches(epoch: 2).map { $0.labels }, b.batches(epoch: 2).map { $0.labels })
        XCTAssertEqual(a.order(epoch: 2), b.order(epoch: 2))
        // asking again, or out of order, gives the same epoch
        _ = a.order(epoch: 7)
        XCTAssertEqual(a.order(epoch: 2), b.order(epoch: 2))
        XCTAssertNotEqual(a.order(epoch: 2), a.order(epoch: 3))
        XCTAssertNotEqual(a.order(epoch: 2), Batcher(dataset: d, batchSize: 8, seed: 100).order(epoch: 2))
        XCTAssertEqual(Batcher(dataset: d, batchSize: 8, shuffle: false).order(epoch: 4), Array(0..<50))
    }

    func testNHWCLayout() throws {
        let d = try Dataset.load(sample: .digits, in: sampleDataDirectory())
        let b = Batcher(dataset: d, batchSize: 64, layout: .image, seed: 1)
        var rows = 0
        for batch in b.batches(epoch: 0) {
            XCTAssertEqual(Array(batch.x.shape.dropFirst()), [8, 8, 1])
            XCTAssertEqual(batch.x.shape[0], batch.count)
            let first = batch.indices[0]
            XCTAssertEqual(Array(batch.x.buffer.prefix(64)), Array(d.row(first)))
            rows += batch.count
        }
        XCTAssertEqual(rows, 1797)
        XCTAssertEqual(b.batchesPerEpoch, 29)
    }

    func testReuseBufferSharesStorageAndCopyModeDoesNot() {
        let d = ids(30)
        let shared = Array(Batcher(dataset: d, batchSize: 8, seed: 3).batches(epoch: 0))
        XCTAssertTrue(shared[0].x.storage === shared[1].x.storage)
        let fresh = Array(Batcher(dataset: d, batchSize: 8, seed: 3, reuseBuffer: false).batches(epoch: 0))
        XCTAssertFalse(fresh[0].x.storage === fresh[1].x.storage)
        for batch in fresh {
            for k in 0..<batch.count { XCTAssertEqual(Int(batch.x[k * 4]), batch.indices[k]) }
        }
    }
}
