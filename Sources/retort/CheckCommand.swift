import Accelerator
import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RetortUI
import RunKit
import TrainEngine

/// `retort check KIND FILE`: validates an input file the way the command that uses it
/// would, without running anything: "ok" and exit 0, or one line naming the file, line
/// and field and exit 2.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an input file (theme, data set, SCALE-Sim config or topology, accelerator config, safetensors, TensorBoard events, checkpoint) without running anything.",
        discussion: "Exit 0 and a one-line summary when the file is usable; otherwise one line naming file:line: field: problem, exit 2.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case theme, data
        case scalesimConfig = "scalesim-config"
        case topology
        case gemmTopology = "gemm-topology"
        case accelConfig = "accel-config"
        case safetensors
        case events
        case checkpoint
    }

    @Argument(help: "What the file is: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: Kind
    @Argument(help: "The file.") var file: String
    @Option(name: .customLong("as"), help: "data: check as this sample set (\(SampleData.allCases.map(\.rawValue).joined(separator: ", "))): its column count, value range and classes.")
    var sample: SampleData?

    func run() throws {
        switch kind {
        case .theme:
            let t = try Theme.load(path: file)
            print("ok: theme \(file) (\(t.name))")
        case .data:
            let d: Dataset
            if let sd = sample {
                d = try Dataset.load(path: file, featureCount: sd.featureCount, valueRange: sd.valueRange, classCount: sd.classCount)
            } else if !ImageSetReader.isCSV(path: file) {
                let set = try ImageSetReader.load(path: file)
                print("ok: data \(file): \(set.format), \(set.train.count) images of \(set.shape), \(set.classCount) classes" + (set.test.map { ", test set of \($0.count)" } ?? ""))
                return
            } else {
                d = try Dataset.load(path: file)
            }
            print("ok: data \(file): \(d.count) rows × \(d.featureCount) features, \(d.classCount) classes")
        case .scalesimConfig:
            let c = try ScaleSimConfig.load(path: file)
            print("ok: SCALE-Sim config \(file): run \(c.runName), \(c.array), \(c.dataflow.rawValue)")
            for n in c.notes { print("note: \(n)") }
        case .topology, .gemmTopology:
            let layers = try ScaleSimTopology.load(path: file, gemm: kind == .gemmTopology)
            print("ok: topology \(file): \(layers.count) layers")
        case .accelConfig:
            _ = try VitalityConfig.load(path: file)
            print("ok: accelerator config \(file)")
        case .safetensors:
            let f = try SafeTensors.read(URL(fileURLWithPath: file))
            print("ok: safetensors \(file): \(f.tensors.count) tensors, \(f.tensors.reduce(0) { $0 + $1.tensor.count }) values")
        case .checkpoint:
            let data: Data
            do { data = try RegularFile.read(file, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError { throw CheckpointError(e.description) }
            let c = try CheckpointFile.decode(data, file: file)
            print("ok: checkpoint \(file): \(CheckpointFile.engine(ofState: c.state)), \(c.tensors.count) tensors, \(c.state.count) bytes of state, checksum verified")
        case .events:
            let e = try TensorBoardReader.events(at: URL(fileURLWithPath: file))
            print("ok: TensorBoard events \(file): \(e.count) records")
        }
    }
}
