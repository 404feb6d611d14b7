import RetortCore

extension Dataset {
    /// The row indices `0..<count` in a seeded random order (Fisher–Yates with `RNG`).
    public func permutation(seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var rng = RNG(seed: seed)
        rng.shuffle(&order)
        return order
    }

    /// All rows in a seeded random order.
    public func shuffled(seed: UInt64) -> Dataset {
        subset(permutation(seed: seed))
    }

    /// Shuffles the rows with `RNG(seed:)`, then takes the first `testCount` shuffled
    /// rows as the test set and the rest as the training set (both keep the shuffled
    /// order). The same seed always gives the same split.
    ///
    /// Not stratified: class proportions in each part follow the shuffle, so with a
    /// small `testCount` a class can be under-represented in the test set.
    public func split(testCount: Int, seed: UInt64) -> (train: Dataset, test: Dataset) {
        precondition(testCount >= 0 && testCount <= count,
                     "testCount \(testCount) outside 0…\(count) for \(name)")
        let order = permutation(seed: seed)
        let test = subset(order[..<testCount], name: name + "/test")
        let train = subset(order[testCount...], name: name + "/train")
        return (train, test)
    }

    /// As `split(testCount:seed:)` with `testCount = round(testFraction * count)`.
    public func split(testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset) {
        precondition(testFraction >= 0 && testFraction <= 1, "testFraction \(testFraction) outside 0…1")
        return split(testCount: Int((testFraction * Double(count)).rounded()), seed: seed)
    }
}
