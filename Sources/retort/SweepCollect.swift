import ArgumentParser
import Foundation
import Sweep

/// `retort sweep collect FILE`: Markdown and CSV tables of the finished points.
struct SweepCollect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Tables of a study's finished points: summary (mean ± std, 95 % CI), paired differences, best point, Pareto front (sim).")

    @Argument(help: "The study file (YAML or JSON).") var file: String
    @Option(help: "Folder for the tables (default: the study folder's tables/).") var out: String?
    @OptionGroup var root: StudyRootOption

    func run() throws {
        let study = SweepCommands.study(file)
        guard let folder = StudyFolder.find(study, root: root.url) else {
            fail("\(file): no study folder holds these points under \(root.root)/ (`retort sweep \(file)` starts one)")
        }
        let c: Collector
        do { c = try Collector(study: study, folder: folder) } catch { fail("\(error)") }
        let dir = out.map { URL(fileURLWithPath: $0) } ?? folder.url.appendingPathComponent("tables")
        let written: [String]
        do { written = try c.write(to: dir) } catch { terminate(.failure, "\(error)") }
        print("collected \(c.rows.count) of \(c.manifest.points.count) points (\(c.metrics.count) metrics) into \(dir.path): \(written.joined(separator: ", "))")
    }
}
