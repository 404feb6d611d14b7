/// Checks shared by every reader: labels in range, label count matching the images.
enum LabelCheck {
    /// The most classes a data set may have.
    static let maxClasses = 65_536

    /// Throws unless every label is in `0..<limit`; returns the labels as Int32.
    static func checked<S: Sequence>(_ labels: S, limit: Int = maxClasses, file: String, field: String = "labels") throws -> [Int32]
    where S.Element: BinaryInteger {
        var out = [Int32]()
        out.reserveCapacity(labels.underestimatedCount)
        for (i, l) in labels.enumerated() {
            guard l >= 0, l < limit else {
                throw DataError(file: file, "\(field): label \(l) of sample \(i) is out of range (0…\(limit - 1))")
            }
            out.append(Int32(l))
        }
        return out
    }

    static func matchCount(images: Int, labels: Int, file: String, labelsFile: String) throws {
        guard images == labels else {
            throw DataError(file: labelsFile, "labels: \(labels) labels for \(images) images in \(file) (one label per image)")
        }
    }

    /// One more than the largest label in either part (at least 1).
    static func classCount(_ parts: [[Int32]]) -> Int {
        Int(parts.compactMap { $0.max() }.max() ?? 0) + 1
    }
}
