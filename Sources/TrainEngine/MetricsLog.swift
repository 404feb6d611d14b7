import Foundation

/// One record in a run's metrics: a name → value map at a step.
public struct MetricRecord: Sendable, Equatable {
    public var kind: String          // "step", "epoch", "hparam", "event"
    public var step: Int
    public var epoch: Int
    public var values: [(String, Double)]
    public var note: String?
    /// What the record is about (e.g. the hyperparameter's name); a CSV column "name".
    public var name: String?
    public init(kind: String, step: Int, epoch: Int, values: [(String, Double)], note: String? = nil, name: String? = nil) {
        self.kind = kind; self.step = step; self.epoch = epoch; self.values = values; self.note = note; self.name = name
    }
    public static func == (a: MetricRecord, b: MetricRecord) -> Bool {
        a.kind == b.kind && a.step == b.step && a.epoch == b.epoch && a.note == b.note && a.name == b.name
            && a.values.map(\.0) == b.values.map(\.0) && a.values.map(\.1) == b.values.map(\.1)
    }
    public subscript(_ key: String) -> Double? { values.first { $0.0 == key }?.1 }
}

/// Writes a run's metrics as JSON Lines (every record) and CSV (one file per record kind,
/// header from the first record of that kind). Lines are flushed as they are written, so
/// a killed run keeps everything up to its last record.
public final class MetricsLog {
    public let folder: URL
    var jsonl: FileHandle
    var csv: [String: (FileHandle, [String])] = [:]
    /// The first write that failed since the last `takeFailure()` (e.g. a full disk).
    var failure: String?

    /// Starts empty metrics files; `keepingContents` leaves an existing metrics.jsonl as it
    /// is (for `init(folder:resumingAt:)`).
    public init(folder: URL, keepingContents: Bool = false) throws {
        self.folder = folder
        let url = folder.appendingPathComponent("metrics.jsonl")
        if !(keepingContents && FileManager.default.fileExists(atPath: url.path)) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw ConfigError("\(url.path): cannot create the metrics file") }
        }
        jsonl = try FileHandle(forWritingTo: url)
    }

    deinit { try? jsonl.close(); for (h, _) in csv.values { try? h.close() } }

    public func write(_ r: MetricRecord) {
        var fields = ["\"kind\":\"\(r.kind)\"", "\"step\":\(r.step)", "\"epoch\":\(r.epoch)"]
        if let n = r.name { fields.append("\"name\":\(Self.quote(n))") }
        for (k, v) in r.values { fields.append("\"\(k)\":\(Self.json(v))") }
        if let n = r.note { fields.append("\"note\":\(Self.quote(n))") }
        put(jsonl, "metrics.jsonl", "{" + fields.joined(separator: ",") + "}\n")
        guard r.kind != "event" else { return }
        let name = r.kind == "epoch" ? "metrics.csv" : "\(r.kind)s.csv"
        if csv[r.kind] == nil {
            let url = folder.appendingPathComponent(name)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            guard let h = try? FileHandle(forWritingTo: url) else { return }
            let cols = ["step", "epoch"] + (r.name != nil ? ["name"] : []) + r.values.map(\.0) + (r.note != nil ? ["note"] : [])
            put(h, name, cols.joined(separator: ",") + "\n")
            csv[r.kind] = (h, cols)
        }
        let (h, cols) = csv[r.kind]!
        let row = cols.map { c -> String in
            switch c {
            case "step": return String(r.step)
            case "epoch": return String(r.epoch)
            case "note": return r.note.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
            case "name": return r.name ?? ""
            default: return r[c].map(Self.csvNumber) ?? ""
            }
        }
        put(h, name, row.joined(separator: ",") + "\n")
    }

    /// Writes a line; a failure (full disk, I/O error) is remembered, never a crash.
    func put(_ h: FileHandle, _ name: String, _ line: String) {
        do { try h.write(contentsOf: Data(line.utf8)) } catch {
            if failure == nil { failure = "\(folder.appendingPathComponent(name).path): \(CheckpointStore.reason(error))" }
        }
    }

    /// One line describing the first failed write since the last call, if any.
    public func takeFailure() -> String? { defer { failure = nil }; return failure }

    static func json(_ v: Double) -> String { v.isFinite ? csvNumber(v) : "null" }
    static func csvNumber(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Creates `<root>/<name or timestamp-model-data>` and writes `config.json`.
public enum RunFolder {
    public static func create(root: String, name: String, config: some Encodable) throws -> URL {
        let url = URL(fileURLWithPath: root).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("run folder \(url.path): cannot create it (\(error.localizedDescription))")
        }
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(config).write(to: url.appendingPathComponent("config.json"), options: .atomic)
        return url
    }

    public static func defaultName(_ parts: [String]) -> String {
        let f = DateFormatter(); f.dateFormat = "yyyyMMdd-HHmmss"; f.locale = Locale(identifier: "en_US_POSIX")
        return ([f.string(from: Date())] + parts).joined(separator: "-")
    }
}
