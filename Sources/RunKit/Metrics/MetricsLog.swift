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
    /// Values that are words (a choice setting's old and new value): JSON strings, CSV text,
    /// no TensorBoard scalar. A CSV column may hold numbers in some rows and words in others.
    public var words: [(String, String)]
    public init(kind: String, step: Int, epoch: Int, values: [(String, Double)], note: String? = nil, name: String? = nil,
                words: [(String, String)] = []) {
        self.kind = kind; self.step = step; self.epoch = epoch; self.values = values; self.note = note; self.name = name
        self.words = words
    }
    public static func == (a: MetricRecord, b: MetricRecord) -> Bool {
        a.kind == b.kind && a.step == b.step && a.epoch == b.epoch && a.note == b.note && a.name == b.name
            && a.values.map(\.0) == b.values.map(\.0) && a.values.map(\.1) == b.values.map(\.1)
            && a.words.map(\.0) == b.words.map(\.0) && a.words.map(\.1) == b.words.map(\.1)
    }
    public subscript(_ key: String) -> Double? { values.first { $0.0 == key }?.1 }
    /// The word value `key`, if the record has one.
    public func word(_ key: String) -> String? { words.first { $0.0 == key }?.1 }

    /// A live setting's change at `step` as an `hparam` record (name, from, to): numbers as
    /// numbers, a choice's words as words, so hparams.csv reads `surgery,pcgrad,drop`.
    public static func settingChange(step: Int, epoch: Int, name: String, from: SettingValue, to: SettingValue,
                                     note: String) -> MetricRecord {
        if let a = from.number, let b = to.number {
            return MetricRecord(kind: "hparam", step: step, epoch: epoch, values: [("from", a), ("to", b)], note: note, name: name)
        }
        return MetricRecord(kind: "hparam", step: step, epoch: epoch, values: [], note: note, name: name,
                            words: [("from", from.description), ("to", to.description)])
    }
}

/// Writes a run's metrics as JSON Lines (every record) and CSV (one file per record kind,
/// header from the first record of that kind). Lines are flushed as they are written, so
/// a killed run keeps everything up to its last record.
///
/// Unless `tensorBoard` is false, every finite value is also written to a TensorBoard event
/// file in the folder, tagged `<kind>/<key>` (`<kind>/<name>/<key>` for named records such
/// as hyperparameter changes) at the record's step; the event file is flushed at every
/// epoch record and when the log goes away.
///
/// The event file also carries TensorBoard's HParams data when the folder has a
/// config.json: its options as the session's hyperparameters, and at `endSession` (the
/// engines call it when the last epoch is done; a divergence ends it as a failure) the
/// experiment, whose metrics are the `epoch/…` tags, and the session's status.
public final class MetricsLog {
    public let folder: URL
    var jsonl: FileHandle
    var csv: [String: (FileHandle, [String])] = [:]
    /// The first write that failed since the last `takeFailure()` (e.g. a full disk).
    var failure: String?
    /// The TensorBoard event file (nil when disabled).
    public let tensorBoard: TensorBoardWriter?
    /// The `epoch/…` tags in the event files (the HParams experiment's metrics).
    var metricTags: Set<String> = []
    /// Whether `endSession` has written the session's end (since the last rewind).
    var sessionEnded = false

    /// Starts empty metrics files; `keepingContents` leaves an existing metrics.jsonl as it
    /// is (for `init(folder:resumingAt:)`); `tensorBoard` adds an event file to the folder.
    public init(folder: URL, keepingContents: Bool = false, tensorBoard: Bool = true) throws {
        self.folder = folder
        let url = folder.appendingPathComponent("metrics.jsonl")
        if !(keepingContents && FileManager.default.fileExists(atPath: url.path)) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw ConfigError("\(url.path): cannot create the metrics file") }
        }
        jsonl = try FileHandle(forWritingTo: url)
        self.tensorBoard = tensorBoard
            ? try TensorBoardWriter(folder: folder, hparams: HParams.options(configJSON: folder.appendingPathComponent("config.json"))) : nil
    }

    /// Ends the run's HParams session with `status` (once; a rewind reopens it).
    public func endSession(_ status: HParams.Status) {
        guard let tb = tensorBoard, !sessionEnded else { return }
        sessionEnded = true
        tb.endSession(status: status, metrics: metricTags.sorted())
    }

    deinit { try? jsonl.close(); for (h, _) in csv.values { try? h.close() }; tensorBoard?.close() }

    /// Writes pending TensorBoard events now.
    public func flush() { tensorBoard?.flush() }

    /// The TensorBoard tag of value `key` of a record.
    public static func tag(_ r: MetricRecord, _ key: String) -> String {
        r.kind + "/" + (r.name.map { $0 + "/" } ?? "") + key
    }

    public func write(_ r: MetricRecord) {
        var fields = ["\"kind\":\"\(r.kind)\"", "\"step\":\(r.step)", "\"epoch\":\(r.epoch)"]
        if let n = r.name { fields.append("\"name\":\(Self.quote(n))") }
        for (k, v) in r.values { fields.append("\"\(k)\":\(Self.json(v))") }
        for (k, w) in r.words { fields.append("\"\(k)\":\(Self.quote(w))") }
        if let n = r.note { fields.append("\"note\":\(Self.quote(n))") }
        put(jsonl, "metrics.jsonl", "{" + fields.joined(separator: ",") + "}\n")
        if let tb = tensorBoard {
            let scalars = r.values.compactMap { k, v -> TensorBoardEvent.Scalar? in
                Float(v).isFinite ? .init(tag: Self.tag(r, k), value: Float(v)) : nil
            }
            tb.add(step: Int64(r.step), scalars: scalars)
            if r.kind == "epoch" { metricTags.formUnion(scalars.map(\.tag)); tb.flush() }
            if r.kind == "event" && r.name == "diverged" { endSession(.failure) }   // Divergence.record
        }
        guard r.kind != "event" else { return }
        let name = r.kind == "epoch" ? "metrics.csv" : "\(r.kind)s.csv"
        if csv[r.kind] == nil {
            let url = folder.appendingPathComponent(name)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            guard let h = try? FileHandle(forWritingTo: url) else { return }
            let cols = ["step", "epoch"] + (r.name != nil ? ["name"] : []) + r.values.map(\.0) + r.words.map(\.0) + (r.note != nil ? ["note"] : [])
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
            default: return r[c].map(Self.csvNumber) ?? r.word(c).map(Self.csvText) ?? ""
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
    /// A word as a CSV field (quoted when it holds a comma, a quote or a line break).
    static func csvText(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
