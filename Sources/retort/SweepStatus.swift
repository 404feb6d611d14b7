import ArgumentParser
import Foundation
import Sweep

/// `retort sweep status FILE`: the points and their states.
struct SweepStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "A table of the study's points and their states.")

    @Argument(help: "The study file (YAML or JSON).") var file: String
    @OptionGroup var root: StudyRootOption

    func run() throws {
        let study = SweepCommands.study(file)
        guard let folder = StudyFolder.find(study, root: root.url) else {
            fail("\(file): no study folder holds these points under \(root.root)/ (`retort sweep \(file)` starts one)")
        }
        let m: Manifest
        do { m = try folder.store.read() } catch { fail("\(error)") }
        print(SweepStatusTable.render(m))
        for line in SweepSlurm.statusLines(m, folder: folder) { print(line) }
    }
}

/// The status table (also what the Slurm executor extends with the queue's states).
enum SweepStatusTable {
    static func render(_ m: Manifest) -> String {
        let cw = max(9, m.points.map(\.condition.count).max() ?? 0)
        var lines = [columns([("point", 5), ("condition", cw), ("seed", 5), ("state", 8), ("exit", 4), ("secs", 7), ("last line", 0)])]
        for e in m.points {
            lines.append(columns([(e.id, 5), (e.condition, cw), (String(e.seed), 5), (e.state.rawValue, 8),
                                  (e.exitCode.map(String.init) ?? "", 4), (e.seconds.map { String(format: "%.1f", $0) } ?? "", 7),
                                  (e.lastLine ?? "", 0)]))
        }
        lines.append("\(m.points.count) points: \(m.count(.finished)) finished, \(m.count(.running)) running, \(m.count(.queued)) queued, \(m.count(.failed)) failed")
        return lines.joined(separator: "\n")
    }
}
