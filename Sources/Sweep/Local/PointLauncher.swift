import Foundation

/// The child command line of a point: a fresh run, or `retort resume RUN` when an earlier
/// attempt left a run folder with a checkpoint.
public struct PointLauncher {
    public let study: Study
    public let folder: StudyFolder
    public let threads: Int

    public init(study: Study, folder: StudyFolder, threads: Int) { self.study = study; self.folder = folder; self.threads = threads }

    public enum Start: Equatable {
        case fresh
        case resume(URL)
    }

    /// How the point starts; a run folder an earlier attempt left without a checkpoint is
    /// removed (its run restarts from the beginning).
    public func start(_ e: Manifest.Entry) throws -> Start {
        let layout = study.command.layout
        if study.command.resumable, let run = folder.runFolder(e, layout: layout), StudyFolder.hasCheckpoint(run) {
            return .resume(run)
        }
        let base = folder.url.appendingPathComponent(e.run)
        if FileManager.default.fileExists(atPath: base.path) {
            do { try FileManager.default.removeItem(at: base) } catch { throw SweepError("\(base.path): cannot remove the unfinished run (\(error.localizedDescription))") }
        }
        if study.command.keepsReport {
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        }
        return .fresh
    }

    public func arguments(_ e: Manifest.Entry, _ start: Start) -> [String] {
        let c = study.command
        if case .resume(let run) = start {
            return ["resume", run.path, "--threads", String(threads), "--plain"]
        }
        var a = c.words
        let options = e.optionPairs
        switch c.options {
        case .configFile:
            if !options.isEmpty { a += ["--config", folder.pointConfigURL(e.id).path] }
        case .flags(let booleans):
            for (k, v) in options {
                if booleans.contains(k) {
                    if ["true", "yes", "on", "1"].contains(v.lowercased()) { a.append("--\(k)") }
                } else { a += ["--\(k)", v] }
            }
        }
        switch c.layout {
        case .named: a += ["--runs", folder.runsURL.path, "--name", e.id]
        case .rootPerPoint: a += ["--runs", folder.url.appendingPathComponent(e.run).path]
        case .report: break
        case .reportOut: a += ["--out", folder.url.appendingPathComponent(e.run).path]
        }
        if let s = c.seedFlag { a += [s, String(e.seed)] }
        if c.threads { a += ["--threads", String(threads)] }
        return a + c.extra
    }
}
