import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

extension TrainConfig.DataSet: ExpressibleByArgument {}
extension TrainConfig.ModelKind: ExpressibleByArgument {}
extension TrainConfig.OptimizerKind: ExpressibleByArgument {}

/// Options shared by every command that trains the plain model.
struct TrainOptions: ParsableArguments {
    @Option(help: "Data set: \(TrainConfig.DataSet.allCases.map(\.rawValue).joined(separator: ", ")).") var data: TrainConfig.DataSet = .mnist5k
    @Option(help: "Model: mlp (784-256-256-10) or cnn (tiny MobileNetV2-style).") var model: TrainConfig.ModelKind = .cnn
    @Option(help: "Width multiplier of the model.") var width: Float = 1
    @Option(help: "Epochs.") var epochs: Int = 15
    @Option(help: "Mini-batch size.") var batchSize: Int = 64
    @Option(help: "Optimiser: sgd (momentum, Nesterov) or adamw.") var optimizer: TrainConfig.OptimizerKind = .sgd
    @Option(help: "Base learning rate (cosine schedule with linear warm-up).") var lr: Float = 0.1
    @Option(help: "SGD momentum.") var momentum: Float = 0.9
    @Flag(help: "Plain momentum instead of Nesterov.") var noNesterov = false
    @Option(help: "Weight decay (skips biases and normalisation parameters).") var weightDecay: Float = 5e-4
    @Option(help: "Label smoothing of the cross-entropy.") var labelSmoothing: Float = 0
    @Option(help: "Warm-up epochs.") var warmupEpochs: Float = 1
    @Option(help: "Images held out for testing.") var testCount: Int = 1000
    @Option(help: "Random shift augmentation in pixels (0 = off; images only).") var shift: Int = 2
    @Option(help: "Seed for data split, init, shuffling and augmentation.") var seed: UInt64 = 1
    @Option(help: "Threads for BLAS and Retort's loops.") var threads: Int = 2
    @Option(help: "Folder that holds run folders.") var runs: String = "runs"
    @Option(help: "Run folder name (default: timestamp-model-data).") var name: String?
    @Option(help: "Folder holding the sample data sets (default: auto-detected sample-data/).") var dataDir: String?
    @Option(help: "Also write a checkpoint every N steps (0 = only at the end of each epoch, which always writes one).") var checkpointEvery: Int = 0
    @Option(help: "Checkpoints kept in the run folder's checkpoints/ (older ones are deleted).") var keepCheckpoints: Int = 3

    var config: TrainConfig {
        var c = TrainConfig()
        c.data = data; c.model = model; c.width = width; c.epochs = epochs; c.batchSize = batchSize
        c.optimizer = optimizer; c.lr = lr; c.momentum = momentum; c.nesterov = !noNesterov
        c.weightDecay = weightDecay; c.labelSmoothing = labelSmoothing; c.warmupEpochs = warmupEpochs
        c.testCount = testCount; c.shiftAugment = shift; c.seed = seed; c.threads = threads
        c.runRoot = runs; c.runName = name
        c.checkpointEvery = checkpointEvery; c.keepCheckpoints = keepCheckpoints
        return c
    }

    func validate() throws {
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.description) }
    }
}

/// Prints a one-line error and exits with status 2 (bad input).
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("retort: \(message)\n".utf8))
    Foundation.exit(2)
}

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
        guard let dir = DataLocator.find(explicit: options.dataDir) else {
            fail("data folder not found: pass --data-dir DIR (a folder with mnist_5k.csv.gz / digits_8x8.csv.gz) or set RETORT_DATA")
        }
        // A file that does not fit the model fails here, before a run folder exists.
        var initFile: SafeTensorsFile?
        if let initWeights {
            do {
                let f = try SafeTensors.read(URL(fileURLWithPath: initWeights))
                try ModelWeights.load(f, into: TrainingJob.makeModel(config, sample: config.data == .mnist5k ? .mnist5k : .digits))
                initFile = f
            } catch { fail("\(error)") }
        }
        let job: TrainingJob
        let folder: URL
        do {
            (folder, job) = try RunFolder.create(root: config.runRoot, name: config.runName,
                                                 generated: [config.model.rawValue, config.data.rawValue, "s\(config.seed)"], config: config) { f in
                let j = try TrainingJob(config: config, dataDirectory: dir, log: try MetricsLog(folder: f, tensorBoard: !noTensorboard),
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
