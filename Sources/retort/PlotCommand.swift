import ArgumentParser
import Foundation
import Plot

/// `retort plot …`: figures for papers (PDF, SVG, PNG through cairo).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Write figures for papers (PDF, SVG or PNG): learning curves, cosine histogram, utilisation heatmap, Gantt, sweep bars, Pareto.",
        subcommands: [PlotCurves.self, PlotCosine.self, PlotHeatmap.self, PlotGantt.self, PlotBars.self, PlotPareto.self, PlotLines.self])
}

/// What every `retort plot` command takes: where to write, in which formats, how wide.
struct PlotOutput: ParsableArguments {
    @Option(help: "The figure file; its extension (.pdf, .svg, .png) is the format.") var out: String
    @Option(help: "Comma-separated formats (pdf,svg,png): write each, named like --out with that extension.") var format: String?
    @Flag(help: "Full page width of a two-column paper (7.0 in) instead of one column (3.4 in).") var wide = false
    @Option(help: "Resolution of PNG output (dots per inch).") var dpi: Double = 300

    mutating func validate() throws {
        guard dpi >= 36 && dpi <= 1200 else { throw ValidationError("--dpi: \(dpi) is out of range (36…1200)") }
    }

    var size: FigureSize { wide ? .wide : .single }

    func formats() throws -> [PlotFormat]? {
        guard let format else { return nil }
        return try format.split(separator: ",").map { f in
            guard let p = PlotFormat(rawValue: f.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw PlotError("--format: '\(f)' is not a format (allowed: pdf, svg, png)")
            }
            return p
        }
    }

    /// Writes the figure (or ends with the one-line error, exit 2) and names the files.
    func write(_ make: () throws -> Figure) {
        do {
            let written = try CairoRenderer.write(try make(), to: out, formats: try formats(), dpi: dpi)
            for w in written { print("wrote \(w)") }
        } catch { fail("\(error)") }
    }
}

struct PlotCurves: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves", abstract: "Learning curves from runs' metrics.csv; runs that differ only in seed become a mean line with a ±std band.")
    @Argument(help: "Run folders (train, distill or attention runs).") var runs: [String]
    @Option(help: "The metrics.csv column to plot (default: test accuracy; test_acc means test_accuracy).") var metric: String?
    @Option(name: .customLong("group-by"), help: "Group runs by this config.json option (default: every option that differs, except the seed).") var groupBy: String?
    @OptionGroup var output: PlotOutput

    func run() throws {
        output.write {
            let r = try runs.map { try Curves.read(run: $0, metric: metric) }
            return Curves.figure(r, metric: metric ?? "test accuracy", groupBy: groupBy, size: output.size)
        }
    }
}

struct PlotCosine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosine", abstract: "The gradient-conflict cosine histogram of a distill run (steps.csv cos, and cos_after with surgery).")
    @Argument(help: "A distill run folder.") var runFolder: String
    @Option(help: "Histogram bins over -1…1.") var bins: Int = 40
    @OptionGroup var output: PlotOutput

    mutating func validate() throws { guard (2...400).contains(bins) else { throw ValidationError("--bins: \(bins) is out of range (2…400)") } }

    func run() throws {
        output.write {
            let (before, after) = try CosineHistogram.read(run: runFolder)
            return CosineHistogram.figure(before: before, after: after, bins: bins, size: output.size)
        }
    }
}

struct PlotHeatmap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heatmap", abstract: "Per-unit utilisation over cycles from `retort sim vitality --timeline FILE`.")
    @Argument(help: "A timeline CSV written by `retort sim vitality --timeline`.") var timeline: String
    @Option(help: "Which attention's rows (default: the first in the file).") var attention: String?
    @OptionGroup var output: PlotOutput

    func run() throws { output.write { try Timeline.read(timeline, attention: attention).heatmap(size: output.size) } }
}

struct PlotGantt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantt", abstract: "The pipeline Gantt from `retort sim vitality --timeline FILE`: when each unit is busy.")
    @Argument(help: "A timeline CSV written by `retort sim vitality --timeline`.") var timeline: String
    @Option(help: "Which attention's rows (default: the first in the file).") var attention: String?
    @Option(help: "A bucket counts as busy from this busy fraction on.") var threshold: Double = 0.05
    @OptionGroup var output: PlotOutput

    mutating func validate() throws { guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold: \(threshold) is out of range (0 < t ≤ 1)") } }

    func run() throws { output.write { try Timeline.read(timeline, attention: attention).gantt(threshold: threshold, size: output.size) } }
}

struct PlotBars: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bars", abstract: "Sweep bar chart from `retort sweep collect`'s summary.csv: mean per condition with 95 % CI error bars.")
    @Argument(help: "summary.csv (condition,<axis…>,metric,n,mean,std,ci95_low,ci95_high).") var summary: String
    @Option(help: "The metric to plot (a value of the metric column).") var metric: String
    @OptionGroup var output: PlotOutput

    func run() throws { output.write { try SweepCharts.bars(summary: CSVTable.read(summary), metric: metric, size: output.size) } }
}

struct PlotPareto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto", abstract: "Pareto plot from `retort sweep collect`'s pareto.csv: every point, the front joined.")
    @Argument(help: "pareto.csv (point,<axis…>,latency_cycles,energy,area,on_front).") var pareto: String
    @Option(help: "Column on the x axis.") var x: String = "latency_cycles"
    @Option(help: "Column on the y axis.") var y: String = "energy"
    @OptionGroup var output: PlotOutput

    func run() throws { output.write { try SweepCharts.pareto(CSVTable.read(pareto), x: x, y: y, size: output.size) } }
}
