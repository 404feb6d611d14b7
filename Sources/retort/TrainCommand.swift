import ArgumentParser
import Foundation
import RetortCore
import RetortData
import RetortModels
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

    var config: TrainConfig {
        var c = TrainConfig()
        c.data = data; c.model = model; c.width = width; c.epochs = epochs; c.batchSize = batchSize
        c.optimizer = optimizer; c.lr = lr; c.momentum = momentum; c.nesterov = !noNesterov
        c.weightDecay = weightDecay; c.labelSmoothing = labelSmoothing; c.warmupEpochs = warmupEpochs
        c.testCount = testCount; c.shiftAugment = shift; c.seed = seed; c.threads = threads
        c.runRoot = runs; c.runName = name
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
        let runName = config.runName ?? RunFolder.defaultName([config.model.rawValue, config.data.rawValue, "s\(config.seed)"])
        let job: TrainingJob
        let folder: URL
        do {
            (folder, job) = try RunFolder.create(root: config.runRoot, name: runName, config: config) { f in
                let j = try TrainingJob(config: config, dataDirectory: dir, log: try MetricsLog(folder: f, tensorBoard: !noTensorboard))
                if let initFile { try ModelWeights.load(initFile, into: j.model) }
                return (f, j)
            }
        } catch let e as DataError { fail(e.description) } catch let e as ConfigError { fail(e.description) }
        catch { fail("\(error)") }
        if let initWeights { print("initialised \(job.model.name) from \(initWeights)") }

        let tty = isatty(STDOUT_FILENO) == 1 && !plain
        print("run \(folder.path)")
        print("\(job.model.name): \(job.model.parameterCount) parameters; data \(job.data.sample.fileName): \(job.data.train.count) train / \(job.data.test.count) test; BLAS \(BLASRuntime.coreName) × \(BLASRuntime.threads) threads")
        print(columns([("epoch", 5), ("step", 8), ("train_loss", 10), ("train_acc", 10), ("test_loss", 9), ("test_acc", 9), ("lr", 9), ("samples/s", 9), ("secs", 7)]))
        let stepsPerEpoch = (job.data.train.count + config.batchSize - 1) / config.batchSize
        let started = Date()
        while !job.isFinished {
            let r = job.step()
            if tty && r.epochSummary == nil {
                let done = (r.step - 1) % stepsPerEpoch + 1
                let bar = String(repeating: "█", count: 30 * done / stepsPerEpoch).padding(toLength: 30, withPad: "·", startingAt: 0)
                print(String(format: "\r  epoch %d/%d %@ %d/%d loss %.4f", r.epoch + 1, config.epochs, bar, done, stepsPerEpoch, r.loss), terminator: "")
                fflush(nil)
            }
            if let s = r.epochSummary {
                if tty { print("\r\u{1B}[2K", terminator: "") }
                print(String(format: "%5d %8d %10.4f %9.2f%% %9.4f %8.2f%% %9.4g %9.0f %7.1f", s.epoch, s.step, s.trainLoss, 100 * s.trainAccuracy,
                             s.testLoss, 100 * s.testAccuracy, s.lr, s.samplesPerSecond, s.seconds))
            }
        }
        print(String(format: "done in %.1f s; metrics in %@/metrics.csv and metrics.jsonl", Date().timeIntervalSince(started), folder.path))
        if let export {
            do { try TrainWeights.export(job, to: URL(fileURLWithPath: export)) } catch { fail("\(error)") }
            print("exported \(job.model.name) to \(export)")
        }
    }
}
