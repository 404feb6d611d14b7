import ArgumentParser
import Foundation
import Plot

struct PlotLines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines", abstract: "Lines from a CSV with a row per point (`retort bench vit --csv`, `retort bench attention --memory --csv`): one line per series.")
    @Argument(help: "A CSV with a header row.") var table: String
    @Option(help: "Column on the x axis.") var x: String
    @Option(help: "Column on the y axis.") var y: String
    @Option(help: "Comma-separated columns whose values name a line (default: one line).") var series: String?
    @Option(name: .customLong("where"), help: "Keep rows with column=value (repeatable).") var filters: [String] = []
    @OptionGroup var output: PlotOutput

    mutating func validate() throws {
        if let f = filters.first(where: { !$0.contains("=") }) { throw ValidationError("--where must be column=value, got '\(f)'") }
    }

    func run() throws {
        let cols = series.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let fs = filters.map { f -> (column: String, value: String) in
            let kv = f.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), String(kv[1]))
        }
        output.write { try LineTable.figure(CSVTable.read(table), x: x, y: y, series: cols, filters: fs, size: output.size) }
    }
}
