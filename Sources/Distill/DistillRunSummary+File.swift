import Foundation
import RetortCore
import RunKit

/// A finished run's `summary.json` (written by `retort distill` and `retort resume` at the
/// end): the numbers `retort compare` tabulates. Non-finite values are the strings "nan",
/// "inf" and "-inf".
extension DistillRunSummary {
    public static let fileName = "summary.json"

    public func write(toRunFolder folder: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(String(decoding: try e.encode(self), as: UTF8.self) + "\n", to: folder.appendingPathComponent(Self.fileName))
    }

    /// The summary a finished run folder holds (nil when it has none or it cannot be read).
    public static func read(runFolder folder: URL) -> DistillRunSummary? {
        guard let d = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path) else { return nil }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? dec.decode(DistillRunSummary.self, from: d)
    }
}
