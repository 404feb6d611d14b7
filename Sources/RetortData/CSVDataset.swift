import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RetortCore

/// Height × width × channels of one sample when the features are an image (NHWC order).
public struct ImageShape: Sendable, Equatable, Codable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int
    public init(height: Int, width: Int, channels: Int = 1) {
        self.height = height; self.width = width; self.channels = channels
    }
    public var featureCount: Int { height * width * channels }
    public var description: String { "\(height)×\(width)×\(channels)" }
}

/// A labelled data set held in memory: `count` rows of `featureCount` Float features
/// (row-major in `features`) and one integer class label per row.
public struct Dataset: Sendable {
    public var name: String
    /// Row-major, `count * featureCount` values.
    public var features: [Float]
    /// One label per row, each in `0..<classCount`.
    public var labels: [Int]
    public let featureCount: Int
    public let classCount: Int
    /// Set when the features form an image (square files get `side×side×1`).
    public var imageShape: ImageShape?
    /// The range raw feature values were checked against (what `Normalizer` maps
    /// to 0…1); `nil` when unknown, or after standardisation.
    public var valueRange: ClosedRange<Float>?

    public init(name: String, features: [Float], labels: [Int], featureCount: Int, classCount: Int,
                imageShape: ImageShape? = nil, valueRange: ClosedRange<Float>? = nil) {
        precondition(featureCount > 0, "featureCount must be positive")
        precondition(features.count == labels.count * featureCount,
                     "dataset \(name): \(features.count) features for \(labels.count) rows × \(featureCount)")
        precondition(imageShape == nil || imageShape!.featureCount == featureCount,
                     "image shape \(imageShape!) does not hold \(featureCount) features")
        self.name = name; self.features = features; self.labels = labels
        self.featureCount = featureCount; self.classCount = classCount
        self.imageShape = imageShape; self.valueRange = valueRange
    }

    /// Number of rows (samples).
    public var count: Int { labels.count }

    /// The features of row `i`.
    public func row(_ i: Int) -> ArraySlice<Float> {
        features[(i * featureCount)..<((i + 1) * featureCount)]
    }

    /// How many rows carry each label, indexed by class.
    public func classCounts() -> [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in labels where l >= 0 && l < classCount { c[l] += 1 }
        return c
    }

    /// A new data set with the given rows, in the given order.
    public func subset<C: Collection>(_ indices: C, name: String? = nil) -> Dataset where C.Element == Int {
        let fc = featureCount
        var f = [Float](repeating: 0, count: indices.count * fc)
        var l = [Int]()
        l.reserveCapacity(indices.count)
        features.withUnsafeBufferPointer { src in
            f.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "row \(i) outside 0..<\(count)")
                    (dst.baseAddress! + k * fc).update(from: src.baseAddress! + i * fc, count: fc)
                }
            }
        }
        for i in indices { l.append(labels[i]) }
        return Dataset(name: name ?? self.name, features: f, labels: l, featureCount: fc,
                       classCount: classCount, imageShape: imageShape, valueRange: valueRange)
    }
}

extension Dataset {
    /// Loads a CSV file (gzip or plain) of rows `f1,…,fk,label`: no header row, the
    /// label last, an integer in `0..<classCount`. Blank lines at the end, a byte-order mark, CRLF
    /// line ends and trailing blanks are accepted (as `TextLines`); spaces around cells are ignored.
    ///
    /// - featureCount: columns before the label; `nil` takes it from the first row.
    /// - valueRange: when given, every feature must lie inside it.
    ///
    /// Every problem is a `DataError` with the file, the 1-based line and what was
    /// expected, e.g. `x.csv:7: expected 785 columns (784 features + label), found 784`.
    public static func load(path: String, featureCount: Int? = nil, valueRange: ClosedRange<Float>? = nil,
                            classCount: Int = 10) throws -> Dataset {
        precondition(featureCount == nil || featureCount! > 0, "featureCount must be positive")
        precondition(classCount > 0, "classCount must be positive")
        return try parse(bytes: try GzipReader.read(path: path, limit: MemoryBudget.available()), file: path, featureCount: featureCount,
                         valueRange: valueRange, classCount: classCount)
    }

    /// Parses CSV bytes (already decompressed) as `load(path:…)` does; `file` names the
    /// source in error messages.
    ///
    /// - columns: where the label is and whether a header row comes first (default: no
    ///   header, the label last).
    /// - classCount: labels must lie below it; nil takes one more than the largest label
    ///   (at most 65 536 classes).
    public static func parse(bytes: [UInt8], file path: String, featureCount: Int? = nil,
                             valueRange: ClosedRange<Float>? = nil, classCount: Int? = 10,
                             columns: CSVColumns = .plain) throws -> Dataset {
        precondition(featureCount == nil || featureCount! > 0, "featureCount must be positive")
        precondition(classCount == nil || classCount! > 0, "classCount must be positive")
        var parsed = try bytes.withUnsafeBufferPointer { buf in
            try CSVParser(file: path, featureCount: featureCount, valueRange: valueRange,
                          classCount: classCount ?? LabelCheck.maxClasses, columns: columns).parse(buf)
        }
        let classCount = classCount ?? (parsed.labels.max() ?? 0) + 1
        let fc = parsed.featureCount
        var shape: ImageShape? = nil
        let side = Int(Double(fc).squareRoot().rounded())
        if side * side == fc && side > 1 { shape = ImageShape(height: side, width: side, channels: 1) }
        parsed.features.removeLast(parsed.features.count - parsed.labels.count * fc)
        return Dataset(name: datasetName(path), features: parsed.features, labels: parsed.labels,
                       featureCount: fc, classCount: classCount, imageShape: shape, valueRange: valueRange)
    }

    /// `dir/mnist_5k.csv.gz` → `mnist_5k`.
    static func datasetName(_ path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        for ext in [".gz", ".csv", ".txt"] where name.hasSuffix(ext) && name.count > ext.count {
            name.removeLast(ext.count)
        }
        return name
    }
}

// MARK: - parser

/// Byte-level CSV parser: one pass, no per-cell allocation for plain decimal numbers.
private struct CSVParser {
    let file: String
    let featureCount: Int?
    let valueRange: ClosedRange<Float>?
    /// Labels must lie below it.
    let classCount: Int
    var columns: CSVColumns = .plain

    struct Result {
        var features: [Float]
        var labels: [Int]
        var featureCount: Int
        /// The header row's names, when there was one.
        var header: [String]?
    }

    private enum CellStatus { case ok, empty, notNumber, notFinite }

    private static let comma: UInt8 = 0x2C, newline: UInt8 = 0x0A

    func parse(_ buf: UnsafeBufferPointer<UInt8>) throws -> Result {
        guard var p = buf.baseAddress, buf.count > 0 else { throw emptyFile() }
        let end = p + buf.count
        if let wide = TextLines.wideEncoding(buf) { throw DataError(file: file, "is \(wide); save it as UTF-8") }
        p += TextLines.bomLength(buf)  // a UTF-8 byte-order mark

        var lineCount = 1
        for b in UnsafeBufferPointer(start: p, count: end - p) where b == Self.newline { lineCount += 1 }

        var fc = featureCount ?? 0
        var labelAt = -1  // the label's column (0-based), known at the first row
        var header: [String]? = nil
        var features: [Float] = []
        var labels: [Int] = []
        labels.reserveCapacity(lineCount)
        var line = 0
        var firstBlankLine: Int? = nil
        let lo = valueRange?.lowerBound ?? -.infinity, hi = valueRange?.upperBound ?? .infinity
        let checkRange = valueRange != nil
        let pow10: [Double] = (0...18).map { e in (0..<e).reduce(1.0) { acc, _ in acc * 10 } }

        try pow10.withUnsafeBufferPointer { pow10 in
            while p < end {
                line += 1
                let nl = memchr(p, Int32(Self.newline), end - p)
                let lineEnd = nl.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
                let e = TextLines.contentEnd(p, lineEnd)  // without a CR and trailing blanks
                defer { p = lineEnd < end ? lineEnd + 1 : end }

                var q = p
                while q < e && Self.isSpace(q.pointee) { q += 1 }
                if q == e {  // blank line: fine only if nothing but blank lines follow
                    if firstBlankLine == nil { firstBlankLine = line }
                    continue
                }
                if let blank = firstBlankLine {
                    throw DataError(file: file, line: blank,
                                    "blank line between rows: expected \(columnsExpected(fc)) (or nothing after the last row)")
                }
                if labelAt < 0 {  // the first row: a header?, the column count, the label's column
                    if header == nil, columns.header ?? Self.allText(p, e, pow10.baseAddress!) {
                        header = Self.names(p, e)
                        continue
                    }
                    let cols = header?.count ?? Self.columnCount(p, e)
                    if fc == 0 {
                        if cols < 2 {
                            throw DataError(file: file, line: line,
                                            "expected at least 2 columns (features then a label), found \(cols)")
                        }
                        fc = cols - 1
                    }
                    labelAt = try labelColumn(columns: fc + 1, header: header, line: line)
                }
                if features.isEmpty { features = [Float](repeating: 0, count: lineCount * fc) }

                let row = labels.count
                var cell = p
                var label: Float = 0
                try features.withUnsafeMutableBufferPointer { fb in
                    var out = fb.baseAddress! + row * fc
                    for col in 0...fc {
                        let (v, status, next) = Self.scanCell(cell, e, pow10.baseAddress!)
                        if col == labelAt {
                            if (next == e) != (col == fc) { try checkColumns(p, e, fc: fc, line: line) }
                            try checkLabel(v, status, Self.text(cell, next), line: line)
                            label = v
                        } else {
                            if status != .ok || (checkRange && (v < lo || v > hi)) || (next == e) != (col == fc) {
                                try checkColumns(p, e, fc: fc, line: line)  // wrong count is the better message
                                try cellError(status, cell, next, col: col, line: line)
                            }
                            out.pointee = v
                            out += 1
                        }
                        cell = next + 1  // skip the comma
                    }
                }
                labels.append(Int(label))
            }
        }
        if labels.isEmpty { throw emptyFile() }
        return Result(features: features, labels: labels, featureCount: fc, header: header)
    }

    /// The label's 0-based column in rows of `columns` cells.
    private func labelColumn(columns n: Int, header: [String]?, line: Int) throws -> Int {
        switch columns.label {
        case .first: return 0
        case .last: return n - 1
        case .number(let k):
            guard k <= n else { throw DataError(file: file, line: line, "label-column: column \(k), but rows have \(n) columns (\(CSVLabelColumn.allowed))") }
            return k - 1
        case .name(let name):
            guard let header else {
                throw DataError(file: file, line: line, "label-column: '\(name)' names a header column, but the file has no header row (give first, last or a column number, or declare the header row)")
            }
            guard let i = header.firstIndex(where: { $0.lowercased() == name.lowercased() }) else {
                let shown = header.prefix(6).joined(separator: ", ") + (header.count > 6 ? ", …" : "")
                throw DataError(file: file, line: line - 1, "label-column: no column named '\(name)' in the header row (columns: \(shown))")
            }
            return i
        case nil:
            if let header, let i = header.firstIndex(where: { CSVColumns.labelNames.contains($0.lowercased()) }) { return i }
            return n - 1
        }
    }

    private func checkLabel(_ v: Float, _ status: CellStatus, _ text: String, line: Int) throws {
        guard status == .ok else {
            throw DataError(file: file, line: line, "label '\(text)' is not an integer (expected \(labelRange))")
        }
        guard v == v.rounded() else {
            throw DataError(file: file, line: line, "label \(text) is not an integer (expected \(labelRange))")
        }
        guard v >= 0 && v < Float(classCount) else {
            throw DataError(file: file, line: line, "label \(text) outside \(labelRange)")
        }
    }

    /// True when no cell of the line is a number or empty (a header row).
    private static func allText(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>, _ pow10: UnsafePointer<Double>) -> Bool {
        var cell = p
        while true {
            let (_, status, next) = scanCell(cell, e, pow10)
            if status != .notNumber { return false }
            if next >= e { return true }
            cell = next + 1
        }
    }

    /// The header row's names, without surrounding blanks and double quotes.
    private static func names(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>) -> [String] {
        String(decoding: UnsafeBufferPointer(start: p, count: e - p), as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { cell in
                var t = cell.trimmingCharacters(in: .whitespaces)
                if t.count >= 2 && t.hasPrefix("\"") && t.hasSuffix("\"") { t = String(t.dropFirst().dropLast()) }
                return t
            }
    }

    // MARK: messages

    private var labelRange: String { "0…\(classCount - 1)" }

    private func columnsExpected(_ fc: Int) -> String {
        if fc == 0 { return "comma-separated features then a label" }
        return "\(fc + 1) columns (\(fc) feature\(fc == 1 ? "" : "s") + label)"
    }

    private func emptyFile() -> DataError {
        let what = featureCount.map { "\($0) pixel values" } ?? "comma-separated feature values"
        return DataError(file: file, "file is empty: expected rows of \(what) then a label")
    }

    private func checkColumns(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>, fc: Int, line: Int) throws {
        let found = Self.columnCount(p, e)
        if found != fc + 1 {
            throw DataError(file: file, line: line, "expected \(columnsExpected(fc)), found \(found)")
        }
    }

    /// Called when a feature cell failed (columns already checked).
    private func cellError(_ status: CellStatus, _ cell: UnsafePointer<UInt8>, _ next: UnsafePointer<UInt8>,
                           col: Int, line: Int) throws -> Never {
        let text = Self.text(cell, next)
        let column = "column \(col + 1)"
        switch status {
        case .empty:
            throw DataError(file: file, line: line, "\(column): empty cell (expected a number)")
        case .notNumber:
            let declare = " (a header row? declare it: --header, or header: true in a config or the data's sidecar)"
            let hint = line == 1 ? (columns == .plain ? " (the file must not have a header row)" : declare) : ""
            throw DataError(file: file, line: line, "\(column): '\(text)' is not a number\(hint)")
        case .notFinite:
            throw DataError(file: file, line: line, "\(column): '\(text)' is not a finite number")
        case .ok:
            let r = valueRange!
            throw DataError(file: file, line: line,
                            "\(column): value \(text) outside the allowed range \(Self.format(r.lowerBound))…\(Self.format(r.upperBound))")
        }
    }

    static func format(_ v: Float) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return String(v)
    }

    /// The cell's text without surrounding spaces, shortened for messages.
    private static func text(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> String {
        var s = a, e = b
        while s < e && isSpace(s.pointee) { s += 1 }
        while e > s && isSpace(e[-1]) { e -= 1 }
        let str = String(decoding: UnsafeBufferPointer(start: s, count: e - s), as: UTF8.self)
        return str.count > 24 ? String(str.prefix(24)) + "…" : str
    }

    // MARK: scanning

    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private static func columnCount(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>) -> Int {
        var n = 1
        var q = p
        while q < e { if q.pointee == comma { n += 1 }; q += 1 }
        return n
    }

    /// Parses the cell starting at `p`; `next` is the comma ending it, or `e`.
    /// Plain decimals (`-12`, `0.5`, up to 18 digits) take the fast path; anything else
    /// (exponents, `nan`, junk) goes through `Double(String)`.
    @inline(__always)
    private static func scanCell(_ p: UnsafePointer<UInt8>, _ e: UnsafePointer<UInt8>,
                                 _ pow10: UnsafePointer<Double>) -> (Float, CellStatus, UnsafePointer<UInt8>) {
        var q = p
        while q < e && isSpace(q.pointee) { q += 1 }
        var neg = false
        if q < e && (q.pointee == 0x2D || q.pointee == 0x2B) { neg = q.pointee == 0x2D; q += 1 }
        var mant: UInt64 = 0
        var digits = 0, frac = 0
        while q < e {
            let d = q.pointee &- 0x30
            if d >= 10 { break }
            mant = mant &* 10 &+ UInt64(d); digits += 1; q += 1
        }
        if q < e && q.pointee == 0x2E {
            q += 1
            while q < e {
                let d = q.pointee &- 0x30
                if d >= 10 { break }
                mant = mant &* 10 &+ UInt64(d); digits += 1; frac += 1; q += 1
            }
        }
        while q < e && isSpace(q.pointee) { q += 1 }
        if (q == e || q.pointee == comma) && digits > 0 && digits <= 18 {
            var v = Double(mant)
            if frac > 0 { v /= pow10[frac] }
            return (Float(neg ? -v : v), .ok, q)
        }
        // slow path: find the end of the cell, then let Double parse it
        while q < e && q.pointee != comma { q += 1 }
        var s = p, t = q
        while s < t && isSpace(s.pointee) { s += 1 }
        while t > s && isSpace(t[-1]) { t -= 1 }
        if s == t { return (0, .empty, q) }
        let str = String(decoding: UnsafeBufferPointer(start: s, count: t - s), as: UTF8.self)
        guard let d = Double(str) else { return (0, .notNumber, q) }
        let f = Float(d)
        if !d.isFinite || !f.isFinite { return (0, .notFinite, q) }
        return (f, .ok, q)
    }
}
