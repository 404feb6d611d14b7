import Foundation

/// Continuing a run's metrics after a resume or a rollback: a checkpoint records how many
/// bytes each metrics file held (`positions()`), and `rewind(to:)` cuts the files back to
/// those lengths, so the rows written again after the checkpoint's step are neither
/// duplicated nor missing. Event lines (divergence, resume, rollback) past the cut are
/// kept: they are history, not metrics.
extension MetricsLog {
    /// The CSV file a record kind goes to (as `write` names it).
    static func csvName(kind: String) -> String { kind == "epoch" ? "metrics.csv" : "\(kind)s.csv" }
    static let standardFiles = ["metrics.jsonl", "metrics.csv", "steps.csv", "hparams.csv"]

    /// Opens the metrics of an existing run folder and cuts them back to `positions`.
    public convenience init(folder: URL, resumingAt positions: [String: UInt64]) throws {
        try self.init(folder: folder, keepingContents: true)
        try rewind(to: positions)
    }

    /// Bytes written to each metrics file so far (files not created yet are absent).
    public func positions() -> [String: UInt64] {
        var p: [String: UInt64] = [:]
        if let o = try? jsonl.offset() { p["metrics.jsonl"] = o }
        for (kind, (h, _)) in csv { if let o = try? h.offset() { p[Self.csvName(kind: kind)] = o } }
        return p
    }

    /// Flushes every metrics file to the disk (before a checkpoint records their lengths).
    public func sync() {
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
        var names = Set(Self.standardFiles).union(positions.keys)
        names.formUnion(((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix("s.csv") || $0 == "metrics.csv" })
        for name in names.sorted() {
            let url = folder.appendingPathComponent(name)
            guard fm.fileExists(atPath: url.path) else { continue }
            guard let keep = positions[name] else {
                if name != "metrics.jsonl" { try? fm.removeItem(at: url) }
                continue
            }
            let size = ((try? fm.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.uint64Value ?? 0
            if size > keep, truncate(url.path, off_t(keep)) != 0 {
                throw ConfigError("\(url.path): cannot cut it back to \(keep) bytes (\(String(cString: strerror(errno))))")
            }
        }
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
}
