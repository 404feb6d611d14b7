import Foundation
import RunKit

/// `retort sweep` studies in the run list: one row per study (its points' progress from
/// `manifest.json`) and one per point's run folder, named `study:NAME` and `study:NAME/ID`.
extension RunCatalog {
    /// (study, point id) of a `study:NAME[/ID]` name; nil for a run-root name.
    static func studyName(_ name: String) -> (study: String, point: String?)? {
        guard name.hasPrefix("study:") else { return nil }
        let rest = name.dropFirst("study:".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : nil)
    }

    /// One path part: not empty, no `/`, not `.` or `..`.
    static func plainPart(_ s: String) -> Bool { !s.isEmpty && !s.contains("/") && s != "." && s != ".." }

    /// The folder a run-list name stands for: in the run root, or a study's point folder.
    func folderURL(_ name: String) -> URL {
        if let (study, point) = Self.studyName(name), let studiesRoot {
            let base = URL(fileURLWithPath: studiesRoot).standardizedFileURL.appendingPathComponent(study)
            guard let point else { return base }
            return base.appendingPathComponent(pointRuns(study)[point] ?? "runs/" + point)
        }
        return rootURL.appendingPathComponent(name)
    }

    /// A study's manifest: each point's id, run folder (relative to the study) and state.
    struct StudyPoint { let id: String, run: String, state: String, lastLine: String? }

    func manifestPoints(_ study: String) -> [StudyPoint]? {
        guard let studiesRoot else { return nil }
        let url = URL(fileURLWithPath: studiesRoot).appendingPathComponent(study).appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url),
              let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let points = top["points"] as? [[String: Any]] else { return nil }
        return points.compactMap { p in
            guard let id = p["id"] as? String, Self.plainPart(id) else { return nil }
            return StudyPoint(id: id, run: p["run"] as? String ?? "runs/" + id, state: p["state"] as? String ?? "queued",
                              lastLine: p["lastLine"] as? String)
        }
    }

    func pointRuns(_ study: String) -> [String: String] {
        Dictionary((manifestPoints(study) ?? []).map { ($0.id, $0.run) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every study folder holding a manifest: its row, then its points' run folders (those started).
    func scanStudies() -> [RunSummary] {
        guard let studiesRoot, let names = try? FileManager.default.contentsOfDirectory(atPath: studiesRoot) else { return [] }
        var out: [RunSummary] = []
        for study in names.sorted() where Self.plainPart(study) && !study.hasPrefix(".") {
            guard let points = manifestPoints(study) else { continue }
            var count: [String: Int] = [:]
            for p in points { count[p.state, default: 0] += 1 }
            let finished = count["finished"] ?? 0, running = count["running"] ?? 0, failed = count["failed"] ?? 0
            let state: RunState = running > 0 ? .running : finished == points.count ? .finished : .incomplete
            let parts = [(finished, "finished"), (running, "running"), (failed, "failed"), (count["queued"] ?? 0, "queued")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            let dir = URL(fileURLWithPath: studiesRoot).appendingPathComponent(study)
            let date = (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("manifest.json").path)[.modificationDate]) as? Date
            var row = RunSummary(name: "study:" + study, engine: .study, date: date, state: state, epochsDone: finished,
                                 epochsTotal: points.count, note: "\(points.count) points: " + (parts.isEmpty ? "none" : parts.joined(separator: ", ")))
            row.study = study
            out.append(row)
            for p in points where FileManager.default.fileExists(atPath: dir.appendingPathComponent(p.run).appendingPathComponent("config.json").path) {
                var s = summary("study:\(study)/\(p.id)")
                if p.state == "failed", s.note == nil {
                    s = RunSummary(name: s.name, engine: s.engine, date: s.date, state: s.state, epochsDone: s.epochsDone, epochsTotal: s.epochsTotal,
                                   bestTestAccuracy: s.bestTestAccuracy, finalTestLoss: s.finalTestLoss, note: "failed: " + (p.lastLine ?? "see its log"))
                        .withStudy(study, s.hyperparameters)
                }
                out.append(s)
            }
        }
        return out
    }

    /// config.json's settings with nested mappings flattened to dotted keys.
    static func hyperparameters(_ d: [String: JSONValue], prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in d {
            if case .object(let o) = v { out.merge(hyperparameters(o, prefix: prefix + k + "."), uniquingKeysWith: { a, _ in a }) }
            else { out[prefix + k] = v.text }
        }
        return out
    }
}

extension RunSummary {
    func withStudy(_ study: String?, _ hyperparameters: [String: String]) -> RunSummary {
        var s = self
        s.study = study; s.hyperparameters = hyperparameters
        return s
    }
}
