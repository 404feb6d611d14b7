import Foundation
import RetortCore
import RunKit

/// A study's folder `<root>/<name>/`: `study.yaml` (a copy of the file), `manifest.json`,
/// `points/<id>.yaml` (each point's options as the child's `--config`), `runs/<id>/` and
/// `logs/<id>.txt`. A changed study whose points differ gets a new folder `<name>-2`, … only
/// when asked (`--new`).
public struct StudyFolder: Sendable {
    public let url: URL
    public let store: ManifestStore

    public init(url: URL) {
        self.url = url
        store = ManifestStore(folder: url)
    }

    public var runsURL: URL { url.appendingPathComponent("runs") }
    public func logURL(_ id: String) -> URL { url.appendingPathComponent("logs/\(id).txt") }
    public func pointConfigURL(_ id: String) -> URL { url.appendingPathComponent("points/\(id).yaml") }

    /// The folders a study named `name` may have under `root`: name, name-2, name-3, … (those that exist).
    static func candidates(_ name: String, root: URL) -> [URL] {
        var out: [URL] = []
        var k = 1
        while true {
            let u = root.appendingPathComponent(k == 1 ? name : "\(name)-\(k)")
            guard FileManager.default.fileExists(atPath: u.appendingPathComponent("manifest.json").path) else { break }
            out.append(u); k += 1
        }
        return out
    }

    /// The newest folder whose manifest holds exactly the study's points (nil when none does).
    public static func find(_ study: Study, root: URL) -> StudyFolder? {
        for u in candidates(study.name, root: root).reversed() {
            let f = StudyFolder(url: u)
            if let m = try? f.store.read(), m.matches(study) { return f }
        }
        return nil
    }

    /// The study's folder: the one whose points match, else a new one (`<name>` when there is
    /// none yet; with `new`, the next `<name>-K`). A folder whose points differ is refused
    /// in one line unless `new`.
    public static func open(_ study: Study, root: URL, new: Bool) throws -> StudyFolder {
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw ConfigError("\(root.path): cannot create the studies folder (\(error.localizedDescription))")
        }
        // one creator at a time (local sweeps and array tasks may start together)
        return try ManifestStore(folder: root).lockedFile(".\(study.name).lock") { () throws -> StudyFolder in
            let existing = candidates(study.name, root: root)
            if !new, let f = find(study, root: root) { return f }
            if !new, let last = existing.last {
                let m = try? StudyFolder(url: last).store.read()
                throw ConfigError("\(study.path): the study's points differ from those in \(last.path) (\(study.points.count) points now, \(m?.points.count ?? 0) there); pass --new to start \(study.name)-\(existing.count + 1), or give the study another name")
            }
            let name = existing.isEmpty ? study.name : "\(study.name)-\(existing.count + 1)"
            let f = StudyFolder(url: root.appendingPathComponent(name))
            try f.create(study)
            return f
        }
    }

    /// A new study folder at `url` (a folder that may exist but holds no manifest yet): how
    /// `retort compare` makes its own folder the study folder.
    public static func create(_ study: Study, at url: URL) throws -> StudyFolder {
        guard !FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.json").path) else {
            throw ConfigError("\(url.path): already holds a study (manifest.json)")
        }
        let f = StudyFolder(url: url)
        try f.create(study)
        return f
    }

    func create(_ study: Study) throws {
        let fm = FileManager.default
        do {
            for sub in ["runs", "logs", "points"] { try fm.createDirectory(at: url.appendingPathComponent(sub), withIntermediateDirectories: true) }
            try AtomicFile.write(Data(study.bytes), to: url.appendingPathComponent("study.yaml"))
            for p in study.points where !p.options.isEmpty {
                try AtomicFile.write(PointConfig.yaml(p.options), to: pointConfigURL(p.id))
            }
        } catch { throw ConfigError("\(url.path): cannot create the study folder (\(error))") }
        try store.create(Manifest(study: study))
    }

    /// The run folder of a point, once its command made one.
    public func runFolder(_ e: Manifest.Entry, layout: SweepCommand.Layout) -> URL? {
        let base = url.appendingPathComponent(e.run)
        let fm = FileManager.default
        guard fm.fileExists(atPath: base.path) else { return nil }
        switch layout {
        case .named, .report, .reportOut: return base
        case .rootPerPoint:
            let subs = (try? fm.contentsOfDirectory(at: base, includingPropertiesForKeys: nil)) ?? []
            return subs.sorted { $0.path < $1.path }.first {
                fm.fileExists(atPath: $0.appendingPathComponent("config.json").path)
                    && !fm.fileExists(atPath: $0.appendingPathComponent("summary.csv").path)
                    && !$0.lastPathComponent.hasPrefix(".")
            }
        }
    }

    /// Whether a run folder holds a checkpoint to resume from.
    public static func hasCheckpoint(_ run: URL) -> Bool {
        let d = run.appendingPathComponent("checkpoints")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
        return files.contains { CheckpointStore.step(ofFileName: $0) != nil }
    }
}

extension ManifestStore {
    /// Runs `body` holding an exclusive lock on the file `name` in this store's folder.
    func lockedFile<T>(_ name: String, _ body: () throws -> T) throws -> T {
        try ManifestStore(folder: folder).withLock(at: folder.appendingPathComponent(name), body)
    }
}
