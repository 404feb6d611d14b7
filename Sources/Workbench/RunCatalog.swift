import Foundation
import RetortCore
import RunKit
import TrainEngine

/// Which engine wrote a run folder (inferred from config.json keys and the folder name).
public enum RunEngine: String, Sendable, CaseIterable {
    case train, distill, attention, compare, study, unknown
}

/// How far a run got.
public enum RunState: Equatable, Sendable {
    /// The last epoch in metrics.csv is the configured number of epochs.
    case finished
    /// Fewer epochs than configured (stopped or killed).
    case incomplete
    /// Not finished and being written right now: by this TUI, or by another retort process
    /// holding the folder's `RunLock`.
    case running
    /// A folder of several runs (compare, attention train): its own files are a summary.
    case summary
    /// config.json or metrics.csv cannot be read; the reason is in `RunSummary.note`.
    case unreadable

    public var label: String {
        switch self {
        case .finished: return "finished"
        case .incomplete: return "incomplete"
        case .running: return "running"
        case .summary: return "summary"
        case .unreadable: return "unreadable"
        }
    }
}

/// One row of the run list: what a run folder holds, read once.
public struct RunSummary: Sendable, Equatable {
    /// Folder path relative to the run root ("NAME", or "COMPARE/NAME" for a kept sub-run).
    public let name: String
    public let engine: RunEngine
    public let date: Date?
    public let state: RunState
    public let epochsDone: Int
    public let epochsTotal: Int?
    public let bestTestAccuracy: Double?
    public let finalTestLoss: Double?
    /// One line: why it is unreadable, or a remark (a truncated last line, the runs of a summary).
    public let note: String?
    /// The study (`retort sweep`) this run is a point of, or the study a `.study` row stands for.
    public var study: String? = nil
    /// config.json's settings flattened to text ("lr" → "0.02", "sparse.threshold" → "0.002"),
    /// for sorting and filtering by any hyperparameter.
    public var hyperparameters: [String: String] = [:]

    public init(name: String, engine: RunEngine, date: Date?, state: RunState, epochsDone: Int = 0, epochsTotal: Int? = nil,
                bestTestAccuracy: Double? = nil, finalTestLoss: Double? = nil, note: String? = nil) {
        self.name = name; self.engine = engine; self.date = date; self.state = state; self.epochsDone = epochsDone
        self.epochsTotal = epochsTotal; self.bestTestAccuracy = bestTestAccuracy; self.finalTestLoss = finalTestLoss; self.note = note
    }

    /// The same summary in another state (e.g. the TUI's own run → running).
    public func with(state: RunState) -> RunSummary {
        var s = RunSummary(name: name, engine: engine, date: date, state: state, epochsDone: epochsDone, epochsTotal: epochsTotal,
                           bestTestAccuracy: bestTestAccuracy, finalTestLoss: finalTestLoss, note: note)
        s.study = study; s.hyperparameters = hyperparameters
        return s
    }
}

/// A numeric CSV: header and rows of doubles (NaN where a cell is empty or "nan").
public struct RunTable: Sendable, Equatable {
    public let columns: [String]
    public let rows: [[Double]]
    public init(columns: [String], rows: [[Double]]) { self.columns = columns; self.rows = rows }

    public func column(_ name: String) -> [Double]? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return rows.map { $0[i] }
    }

    /// (x, y) pairs of a column against `x` (default the step column, else the row number); non-finite y left out.
    public func series(_ name: String, x: String = "step") -> [(Double, Double)] {
        guard let yi = columns.firstIndex(of: name) else { return [] }
        let xi = columns.firstIndex(of: x)
        return rows.enumerated().compactMap { n, r in
            let xv = xi.map { r[$0] } ?? Double(n + 1)
            return r[yi].isFinite && xv.isFinite ? (xv, r[yi]) : nil
        }
    }

    /// The table of a CSV file; nil when it is missing or malformed (a truncated last line is dropped).
    public static func read(_ url: URL) -> RunTable? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return try? parse(text, file: url.lastPathComponent).table
    }

    /// Parses CSV text. Non-numeric columns (e.g. "note", "name") and words in "from"/"to" are
    /// kept as NaN. A last line
    /// with the wrong number of fields is a truncated write: dropped, and reported in `warning`.
    /// Any other malformed line throws a one-line reason.
    public static func parse(_ text: String, file: String) throws -> (table: RunTable, warning: String?) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let head = lines.first, !head.isEmpty else { throw RunCatalogError("\(file): empty") }
        let columns = splitCSV(head).map { $0.trimmingCharacters(in: .whitespaces) }
        guard Set(columns).count == columns.count, !columns.contains("") else { throw RunCatalogError("\(file): malformed header") }
        let textColumns = Set(["note", "name", "kind", "condition", "run"])
        // a setting change's old and new value: a number, or a word for a choice (hparams.csv)
        let valueColumns = Set(["from", "to"])
        var rows: [[Double]] = []
        var warning: String?
        for (n, line) in lines.enumerated().dropFirst() {
            let f = splitCSV(line)
            guard f.count == columns.count else {
                if n == lines.count - 1 { warning = "\(file): last line truncated (\(f.count) of \(columns.count) fields), ignored"; break }
                throw RunCatalogError("\(file) line \(n + 1): \(f.count) fields, header has \(columns.count)")
            }
            var row = [Double](repeating: .nan, count: columns.count)
            for (i, cell) in f.enumerated() where !textColumns.contains(columns[i]) {
                let c = cell.trimmingCharacters(in: .whitespaces)
                if c.isEmpty { continue }
                guard let v = Double(c) else {
                    if valueColumns.contains(columns[i]) { continue }
                    if n == lines.count - 1 { warning = "\(file): last line truncated, ignored"; break }
                    throw RunCatalogError("\(file) line \(n + 1): '\(c.prefix(20))' in \(columns[i]) is not a number")
                }
                row[i] = v
            }
            if warning != nil { break }
            rows.append(row)
        }
        return (RunTable(columns: columns, rows: rows), warning)
    }

    /// Splits one CSV line; double quotes group commas and "" is a quote.
    static func splitCSV(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        let it = Array(line)
        var i = 0
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" { if i + 1 < it.count && it[i + 1] == "\"" { cur.append("\""); i += 1 } else { quoted = false } }
                else { cur.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { out.append(cur); cur = "" }
            else { cur.append(c) }
            i += 1
        }
        out.append(cur)
        return out
    }
}

/// A past run opened read-only: its per-epoch and per-step tables and its configuration.
public struct RunCurves: Sendable {
    public let name: String
    public let engine: RunEngine
    /// metrics.csv (one row per epoch); empty when the run has none yet.
    public let metrics: RunTable
    /// steps.csv (every few steps), nil when absent or unreadable.
    public let steps: RunTable?
    /// config.json flattened to (key, value) text, sorted by key.
    public let config: [(String, String)]
    public let testAccuracyColumn: String?
    public let testLossColumn: String?
    public let notes: [String]
    /// hparams.csv: the live setting changes of the run, oldest first.
    public var settingChanges: [RunSettingChange] = []

    public init(name: String, engine: RunEngine, metrics: RunTable, steps: RunTable?, config: [(String, String)], notes: [String] = []) {
        self.name = name; self.engine = engine; self.metrics = metrics; self.steps = steps; self.config = config; self.notes = notes
        testAccuracyColumn = RunCatalog.testAccuracyColumn(metrics.columns)
        testLossColumn = RunCatalog.testLossColumn(metrics.columns)
    }

    /// Per-epoch columns that are losses / accuracies (by name), in file order.
    public var lossColumns: [String] { metrics.columns.filter { $0.contains("loss") } }
    public var accuracyColumns: [String] { metrics.columns.filter { $0.contains("acc") } }
    /// The per-step loss column of steps.csv ("loss", else the first containing "loss").
    public var stepLossColumn: String? {
        guard let s = steps else { return nil }
        return s.columns.contains("loss") ? "loss" : s.columns.first { $0.contains("loss") }
    }
}

/// One row of a run's hparams.csv: a setting changed live at `step`.
public struct RunSettingChange: Sendable, Equatable {
    public let step: Int
    public let name: String, from: String, to: String
    public init(step: Int, name: String, from: String, to: String) { self.step = step; self.name = name; self.from = from; self.to = to }

    /// The rows of hparams.csv text (columns found by name: step, name, from, to); rows that
    /// do not parse are skipped.
    public static func parse(_ text: String) -> [RunSettingChange] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let cols = lines.first.map(RunTable.splitCSV) ?? []
        guard let si = cols.firstIndex(of: "step"), let ni = cols.firstIndex(of: "name"), let fi = cols.firstIndex(of: "from"),
              let ti = cols.firstIndex(of: "to") else { return [] }
        return lines.dropFirst().compactMap { line in
            let f = RunTable.splitCSV(line)
            guard f.count == cols.count, let step = Int(f[si]) else { return nil }
            return RunSettingChange(step: step, name: f[ni], from: f[fi], to: f[ti])
        }
    }
}

public struct RunCatalogError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The run root's folders: scanned into `RunSummary` rows, opened into `RunCurves`, deleted
/// (only inside the root). Never throws on a bad run while scanning: the row says why.
public struct RunCatalog: Sendable {
    public let root: String
    /// Folder names (relative to the root) of runs being written by this process: shown as
    /// running and never deleted.
    public let active: Set<String>

    /// The folder of `retort sweep` studies (`studies/NAME/manifest.json`, `runs/ID/`), listed
    /// after the run root's folders; nil: none.
    public let studiesRoot: String?

    public init(root: String, active: Set<String> = [], studiesRoot: String? = nil) {
        self.root = root; self.active = active; self.studiesRoot = studiesRoot
    }

    var rootURL: URL { URL(fileURLWithPath: root).standardizedFileURL }

    /// The name (relative to `root`) of a run folder path, when it lies directly in the root
    /// (or one level down), else nil.
    public static func name(of folder: String, in root: String) -> String? {
        let r = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        let f = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        guard f.hasPrefix(r + "/") else { return nil }
        let rel = String(f.dropFirst(r.count + 1))
        return rel.isEmpty ? nil : rel
    }

    /// All run folders, newest first. A missing root is an empty list.
    public func scan() -> [RunSummary] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: rootURL.path) else { return [] }
        var out: [RunSummary] = []
        for n in names where !n.hasPrefix(".") {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: rootURL.appendingPathComponent(n).path, isDirectory: &isDir), isDir.boolValue else { continue }
            let s = summary(n)
            out.append(s)
            if s.engine == .compare {
                for sub in subRuns(n) { out.append(summary(n + "/" + sub)) }
            }
        }
        out.sort { a, b in
            let da = a.date ?? .distantPast, db = b.date ?? .distantPast
            return da != db ? da > db : a.name < b.name
        }
        return out + scanStudies()
    }

    /// Sub-folders of a compare folder that hold a config.json (kept runs of `retort compare --keep`).
    func subRuns(_ name: String) -> [String] {
        let fm = FileManager.default
        let dir = folderURL(name)
        guard let subs = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }
        return subs.filter { fm.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent("config.json").path) }.sorted()
    }

    /// Reads one folder into a summary; never throws.
    public func summary(_ name: String) -> RunSummary {
        let dir = folderURL(name)
        let fm = FileManager.default
        let date = Self.nameDate(name.split(separator: "/").last.map(String.init) ?? name)
            ?? (try? fm.attributesOfItem(atPath: dir.path)[.modificationDate] as? Date) ?? nil
        let files = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
        func bad(_ engine: RunEngine, _ why: String) -> RunSummary { RunSummary(name: name, engine: engine, date: date, state: .unreadable, note: why) }
        guard files.contains("config.json") else {
            return bad(Self.engine(name: name, keys: []), files.isEmpty ? "empty folder" : "no config.json")
        }
        let config: [String: JSONValue]
        do { config = try Self.readConfig(dir.appendingPathComponent("config.json")) } catch { return bad(Self.engine(name: name, keys: []), "\(error)") }
        let isCompare = !files.contains("metrics.csv")
            && (files.contains("summary.csv") || files.contains("runs.csv") || files.contains("table.md") || !subRuns(name).isEmpty)
        let engine: RunEngine = isCompare ? .compare : Self.engine(name: name, keys: Set(config.keys))
        let total = config["epochs"]?.int
        if isCompare {
            let csv = files.contains("summary.csv") ? "summary.csv" : files.contains("runs.csv") ? "runs.csv" : nil
            var note = "folder of several runs"
            if let csv, let text = try? String(contentsOf: dir.appendingPathComponent(csv), encoding: .utf8) {
                let n = text.split(separator: "\n").count - 1
                note = "\(max(0, n)) run\(n == 1 ? "" : "s") in \(csv)" + (subRuns(name).isEmpty ? "" : "; kept runs listed below")
            }
            return RunSummary(name: name, engine: .compare, date: date, state: isWritten(name) ? .running : .summary, epochsTotal: total, note: note)
        }
        guard files.contains("metrics.csv") else {
            let state: RunState = isWritten(name) ? .running : .incomplete
            return RunSummary(name: name, engine: engine, date: date, state: state, epochsDone: 0, epochsTotal: total, note: "no epoch finished (no metrics.csv)")
        }
        let parsed: (table: RunTable, warning: String?)
        do {
            guard let text = try? String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8) else {
                throw RunCatalogError("metrics.csv: not readable text")
            }
            parsed = try RunTable.parse(text, file: "metrics.csv")
        } catch { return bad(engine, "\(error)") }
        let metrics = parsed.table, warning = parsed.warning
        let done = metrics.column("epoch")?.last.flatMap { $0.isFinite ? Int($0) : nil } ?? metrics.rows.count
        let acc = Self.testAccuracyColumn(metrics.columns).flatMap { metrics.column($0) }?.filter(\.isFinite).max()
        let loss = Self.testLossColumn(metrics.columns).flatMap { metrics.column($0) }?.last(where: { $0.isFinite })
        let state: RunState = total.map { done >= $0 } == true ? .finished : isWritten(name) ? .running : .incomplete
        var row = RunSummary(name: name, engine: engine, date: date, state: state, epochsDone: done, epochsTotal: total,
                             bestTestAccuracy: acc, finalTestLoss: loss, note: warning)
        row.study = Self.studyName(name)?.study
        row.hyperparameters = Self.hyperparameters(config)
        return row
    }

    /// Being written now: by this process (`active`) or by another one holding its lock.
    func isWritten(_ name: String) -> Bool {
        active.contains(name) || RunLock.otherHolder(folderURL(name)) != nil
    }

    /// Opens a run read-only: its tables and configuration.
    public func curves(_ name: String) throws -> RunCurves {
        try checkName(name)
        let dir = folderURL(name)
        let config = try Self.readConfig(dir.appendingPathComponent("config.json"))
        var notes: [String] = []
        func table(_ file: String) throws -> RunTable? {
            let url = dir.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw RunCatalogError("\(file): not readable text") }
            let (t, w) = try RunTable.parse(text, file: file)
            if let w { notes.append(w) }
            return t
        }
        let metrics = try table("metrics.csv") ?? RunTable(columns: [], rows: [])
        var steps: RunTable?
        do { steps = try table("steps.csv") } catch { notes.append("\(error)") }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let isCompare = !files.contains("metrics.csv") && (files.contains("summary.csv") || files.contains("runs.csv"))
        var curves = RunCurves(name: name, engine: isCompare ? .compare : Self.engine(name: name, keys: Set(config.keys)), metrics: metrics,
                               steps: steps, config: Self.flatten(config), notes: notes)
        if let text = try? String(contentsOf: dir.appendingPathComponent("hparams.csv"), encoding: .utf8) {
            curves.settingChanges = RunSettingChange.parse(text)
        }
        return curves
    }

    /// Removes a run folder. Refuses names that leave the root (`..`, absolute paths,
    /// symbolic links), the root itself, and active runs.
    public func delete(name: String) throws {
        try checkName(name)
        if let (study, _) = Self.studyName(name) {
            throw RunCatalogError("\(name) belongs to the study \(study): not deleted (a study folder is retort sweep's; remove it whole)")
        }
        if active.contains(name) { throw RunCatalogError("\(name) is open in this session: not deleted") }
        if let pid = RunLock.otherHolder(folderURL(name)) {
            throw RunCatalogError("\(name) is in use by \(pid > 0 ? "retort process \(pid)" : "another process"): not deleted")
        }
        let fm = FileManager.default
        let url = folderURL(name)
        let attrs: [FileAttributeKey: Any]
        do { attrs = try fm.attributesOfItem(atPath: url.path) } catch { throw RunCatalogError("\(name): no such run folder") }
        if attrs[.type] as? FileAttributeType == .typeSymbolicLink { throw RunCatalogError("\(name) is a symbolic link: not deleted") }
        guard attrs[.type] as? FileAttributeType == .typeDirectory else { throw RunCatalogError("\(name) is not a folder: not deleted") }
        let realRoot = rootURL.resolvingSymlinksInPath().path
        let real = url.resolvingSymlinksInPath().path
        guard real.hasPrefix(realRoot + "/") else { throw RunCatalogError("\(name) lies outside the run root: not deleted") }
        do { try fm.removeItem(at: url) } catch { throw RunCatalogError("\(name): cannot delete (\(error.localizedDescription))") }
    }

    func checkName(_ name: String) throws {
        if let (study, point) = Self.studyName(name) {
            guard studiesRoot != nil, Self.plainPart(study), point.map(Self.plainPart) ?? true else {
                throw RunCatalogError("'\(name)' is not a study run of \(studiesRoot ?? "the studies folder")")
            }
            return
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), parts.count <= 2, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw RunCatalogError("'\(name)' is not a run folder name of \(root)")
        }
    }

    // MARK: - Inference helpers

    static func readConfig(_ url: URL) throws -> [String: JSONValue] {
        guard let data = try? Data(contentsOf: url) else { throw RunCatalogError("config.json: not readable") }
        if let d = JSONDuplicateKeys.first(in: data) { throw RunCatalogError("config.json: \(d)") }
        guard let v = try? JSONDecoder().decode(JSONValue.self, from: data) else { throw RunCatalogError("config.json: not valid JSON") }
        guard case .object(let dict) = v else { throw RunCatalogError("config.json: not a JSON object") }
        return dict
    }

    static func engine(name: String, keys: Set<String>) -> RunEngine {
        if keys.contains("surgery") || keys.contains("teacherWidth") { return .distill }
        if keys.contains("kind") && keys.contains("sparse") { return .attention }
        let last = name.split(separator: "/").last.map(String.init) ?? name
        if last.contains("vit-") { return .attention }
        if last.contains("distill") { return .distill }
        if keys.contains("model") && keys.contains("epochs") { return .train }
        return .unknown
    }

    static func testAccuracyColumn(_ cols: [String]) -> String? {
        for c in ["test_accuracy", "student_test_acc", "test_acc"] where cols.contains(c) { return c }
        return cols.first { $0.contains("test") && $0.contains("acc") }
    }

    static func testLossColumn(_ cols: [String]) -> String? {
        for c in ["test_loss", "student_test_loss"] where cols.contains(c) { return c }
        return cols.first { $0.contains("test") && $0.contains("loss") }
    }

    /// A run-name timestamp prefix "yyyyMMdd-HHmmss".
    static func nameDate(_ name: String) -> Date? {
        guard name.count >= 15 else { return nil }
        let f = DateFormatter(); f.dateFormat = "yyyyMMdd-HHmmss"; f.locale = Locale(identifier: "en_US_POSIX")
        return f.date(from: String(name.prefix(15)))
    }

    static func flatten(_ d: [String: JSONValue]) -> [(String, String)] {
        d.keys.sorted().map { ($0, d[$0]!.text) }
    }
}
