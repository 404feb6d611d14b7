import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train the MLP or tiny CNN headless; writes config and metrics to a run folder.")

    @OptionGroup var options: TrainOptions
    @Flag(help: "Plain progress lines even on a terminal.") var plain = false
    @Option(name: .customLong("init"), help: "Initialise the model from this safetensors file (names and shapes must match the model).") var initWeights: String?
    @Option(help: "At the end, write the model to this safetensors file (PyTorch names and layout; `retort eval --weights FILE`).") var export: String?
    @Flag(help: "Do not write the TensorBoard event file in the run folder.") var noTensorboard = false

    func run() throws {
        let config = options.config
        let dir = options.dataOptions.directory(for: config.data)
        // Data that cannot be read, or a file that does not fit the model, fails here, before a run folder exists.
        let data: PreparedData
        do {
            data = try PreparedData.load(config.data, settings: config.dataOptions, directory: dir, testCount: config.testCount, seed: config.seed)
            _ = try TrainingJob.makeModel(config, for: data.signature)   // a model that cannot take these images
        } catch { fail("\(error)") }
        var initFile: SafeTensorsFile?
        if let initWeights {
            do {
                let f = try SafeTensors.read(URL(fileURLWithPath: initWeights))
                try ModelWeights.load(f, into: TrainingJob.makeModel(config, for: data.signature))
                refuseNonFiniteInit(f, path: initWeights)
                initFile = f
            } catch { fail("\(error)") }
        }
        let job: TrainingJob
        let folder: URL
        do {
            (folder, job) = try RunFolder.create(root: config.runRoot, name: config.runName,
                                                 generated: [config.model.rawValue, config.data.shortName, "s\(config.seed)"], config: config) { f in
                let j = try TrainingJob(config: config, data: data, log: try MetricsLog(folder: f, tensorBoard: !noTensorboard),
                                        checkpoints: CheckpointStore(runFolder: f, keep: config.keepCheckpoints))
                if let initFile { try ModelWeights.load(initFile, into: j.model) }
                return (f, j)
            }
        } catch let e as DataError { fail(e.description) } catch let e as ConfigError { fail(e.description) }
        catch { fail("\(error)") }
        if let initWeights { print("initialised \(job.model.name) from \(initWeights)") }
        print("run \(folder.path)")
        trainHeadless(job, folder: folder, plain: plain)
        if let export {
            do { try TrainWeights.export(job, to: URL(fileURLWithPath: export)) } catch { fail("\(error)") }
            print("exported \(job.model.name) to \(export)")
        }
    }
}
