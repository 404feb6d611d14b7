import ArgumentParser
import RetortData
import RunKit
import TrainEngine

/// Options shared by every command that trains the plain model (`train`, `tui`).
struct TrainOptions: ParsableArguments {
    @Option(help: "Data: a sample (mnist5k, digits) or a data file or folder (NumPy .npy/.npz, IDX, CIFAR binary, PNG/JPEG class folders, CSV; see `retort data inspect`).") var data: DataSource = .sample(.mnist5k)
    @Option(help: "Model: mlp (784-256-256-10) or cnn (tiny MobileNetV2-style).") var model: TrainConfig.ModelKind = .cnn
    @Option(help: "Width multiplier of the model.") var width: Float = 1
    @OptionGroup var optim: OptimOptions<TrainDefaults>
    @Option(help: "Images held out for testing.") var testCount: Int = 1000
    @Option(help: "Random shift augmentation in pixels, 0…16: a random crop of the image padded by this many pixels (0 = off; images only).") var shift: Int = 2
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var dataRead: DataReadOptions
    @OptionGroup var checkpoints: CheckpointOptions

    var config: TrainConfig {
        var c = TrainConfig()
        c.data = data.absolute; c.dataOptions = dataRead.settings; c.model = model; c.width = width; c.epochs = optim.epochs; c.batchSize = optim.batchSize
        c.optimizer = optim.optimizer; c.lr = optim.lr; c.momentum = optim.momentum; c.nesterov = !optim.noNesterov
        c.weightDecay = optim.weightDecay; c.labelSmoothing = optim.labelSmoothing; c.warmupEpochs = optim.warmupEpochs
        c.testCount = testCount; c.shiftAugment = shift; c.seed = runOptions.seed; c.threads = runOptions.threads
        c.runRoot = runOptions.runs; c.runName = runOptions.name
        c.checkpointEvery = checkpoints.checkpointEvery; c.keepCheckpoints = checkpoints.keepCheckpoints
        return c
    }

    func validate() throws {
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.description) }
    }
}
