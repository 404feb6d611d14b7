import Foundation

/// Continuing a run's metrics after a resume or a rollback: a checkpoint records how many
/// bytes each metrics file held (`positions()`), and `rewind(to:)` cuts the files back to
/// those lengths, so the rows written again after the checkpoint's step are neither
/// duplicated nor missing. Event lines (divergence, resume, rollback) past the cut are
/// kept: they are history, not metrics. TensorBoard event files are cut back the same way
/// (each file's length is recorded; files created after the checkpoint are removed), so
/// TensorBoard never sees a step twice.
extension MetricsLog {
    /// The CSV file a record kind goes to (as `write` names it).
    static func csvName(kind: String) -> String { kind == "epoch" ? "metrics.csv" : "\(kind)s.csv" }
    static let standardFiles = ["metrics.jsonl", "metrics.csv", "steps.csv", "hparams.csv"]

    /// Opens the metrics of an existing run folder and cuts them back to `positions`.
    /// TensorBoard events are written when the checkpoint recorded event files (a run
    /// started with `--no-tensorboard` stays without).
    public convenience init(folder: URL, resumingAt positions: [String: UInt64]) throws {
        try self.init(folder: folder, keepingContents: true, tensorBoard: positions.keys.contains(where: Self.isEventFile))
        try rewind(to: positions)
    }

    static func isEventFile(_ name: String) -> Bool { name.contains("tfevents") }

    /// Bytes written to each metrics file so far (files not created yet are absent).
    public func positions() -> [String: UInt64] {
        var p: [String: UInt64] = [:]
        if let o = try? jsonl.offset() { p["metrics.jsonl"] = o }
        for (kind, (h, _)) in csv { if let o = try? h.offset() { p[Self.csvName(kind: kind)] = o } }
        if let tb = tensorBoard { tb.flush(); p[tb.url.lastPathComponent] = tb.written }
        for url in TensorBoardReader.eventFiles(in: folder) where url.lastPathComponent != tensorBoard?.url.lastPathComponent {
            p[url.lastPathComponent] = Self.size(url)
        }
        return p
    }

    /// Flushes every metrics file to the disk (before a checkpoint records their lengths).
    public func sync() {
        tensorBoard?.flush()
        try? jsonl.synchronize()
        for (h, _) in csv.values { try? h.synchronize() }
    }

    /// Cuts the metrics files back to `positions` and continues writing at their ends. A
    /// file absent from `positions` was created after the checkpoint and is removed.
    public func rewind(to positions: [String: UInt64]) throws {
        let fm = FileManager.default
        let jsonlURL = folder.appendingPathComponent("metrics.jsonl")
        // events written after the cut are kept and written again after it
        var events = Data()
        if let cut = positions["metrics.jsonl"], let h = try? FileHandle(forReadingFrom: jsonlURL) {
            try? h.seek(toOffset: cut)
            let tail = (try? h.readToEnd()) ?? Data()
            try? h.close()
            for line in tail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            where line.starts(with: Array("{\"kind\":\"event\"".utf8)) && line.last == UInt8(ascii: "}") {
                events.append(line); events.append(UInt8(ascii: "\n"))
            }
        }
        try? jsonl.close()
        for (h, _) in csv.values { try? h.close() }
        csv = [:]
        var names = Set(Self.standardFiles).union(positions.keys.filter { !Self.isEventFile($0) })
        names.formUnion(((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix("s.csv") || $0 == "metrics.csv" })
        for name in names.sorted() {
            let url = folder.appendingPathComponent(name)
            guard fm.fileExists(atPath: url.path) else { continue }
            guard let keep = positions[name] else {
                if name != "metrics.jsonl" { try? fm.removeItem(at: url) }
                continue
            }
            try Self.cut(url, to: keep)
        }
        try rewindEventFiles(to: positions)
        sessionEnded = false
        metricTags = Set(TensorBoardReader.eventFiles(in: folder).flatMap { url in
            ((try? TensorBoardReader.scalars(at: url)) ?? [:]).keys.filter { $0.hasPrefix("epoch/") }
        })
        if !fm.fileExists(atPath: jsonlURL.path) { _ = fm.createFile(atPath: jsonlURL.path, contents: nil) }
        if positions["metrics.jsonl"] == nil { try? FileHandle(forWritingTo: jsonlURL).truncate(atOffset: 0) }
        jsonl = try FileHandle(forWritingTo: jsonlURL)
        try jsonl.seekToEnd()
        if !events.isEmpty { put(jsonl, "metrics.jsonl", String(decoding: events, as: UTF8.self)) }
        // CSV files that survive keep their header: continue them
        for name in names.sorted() where name.hasSuffix(".csv") {
            let url = folder.appendingPathComponent(name)
            guard positions[name] != nil, let r = try? FileHandle(forReadingFrom: url) else { continue }
            let head = (try? r.read(upToCount: 1 << 16)) ?? Data()
            try? r.close()
            guard let nl = head.firstIndex(of: UInt8(ascii: "\n")), let h = try? FileHandle(forWritingTo: url) else { continue }
            let header = String(decoding: head[head.startIndex..<nl], as: UTF8.self)
            _ = try? h.seekToEnd()
            let kind = name == "metrics.csv" ? "epoch" : String(name.dropLast(5))
            csv[kind] = (h, header.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
    }

    /// Cuts the TensorBoard event files back (checkpoints without event-file lengths,
    /// written before Retort recorded them, leave the files alone).
    func rewindEventFiles(to positions: [String: UInt64]) throws {
        guard positions.keys.contains(where: Self.isEventFile) else { return }
        let own = tensorBoard?.url.lastPathComponent
        for url in TensorBoardReader.eventFiles(in: folder) {
            let name = url.lastPathComponent
            if name == own { tensorBoard?.truncate(to: positions[name]); continue }
            if let keep = positions[name] { try Self.cut(url, to: keep) }
            else { try? FileManager.default.removeItem(at: url) }   // written after the checkpoint
        }
    }

    static func size(_ url: URL) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Truncates a file to `keep` bytes when it is longer.
    static func cut(_ url: URL, to keep: UInt64) throws {
        if size(url) > keep, truncate(url.path, off_t(keep)) != 0 {
            throw ConfigError("\(url.path): cannot cut it back to \(keep) bytes (\(String(cString: strerror(errno))))")
        }
    }
}
