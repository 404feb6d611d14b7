import ArgumentParser
import RetortData
import RunKit
import TrainEngine

/// Options shared by every command that trains the plain model (`train`, `tui`).
struct TrainOptions: ParsableArguments {
    @Option(help: "Data set.") var data: SampleData = .mnist5k
    @Option(help: "Model: mlp (784-256-256-10) or cnn (tiny MobileNetV2-style).") var model: TrainConfig.ModelKind = .cnn
    @Option(help: "Width multiplier of the model.") var width: Float = 1
    @OptionGroup var shape: ModelOptions
    @OptionGroup var optim: OptimOptions<TrainDefaults>
    @Option(help: "Images held out for testing.") var testCount: Int = 1000
    @Option(help: "Random shift augmentation in pixels (0 = off; images only).") var shift: Int = 2
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var checkpoints: CheckpointOptions

    var config: TrainConfig {
        var c = TrainConfig()
        c.data = data; c.model = model; c.width = width; c.epochs = optim.epochs; c.batchSize = optim.batchSize
        c.optimizer = optim.optimizer; c.lr = optim.lr; c.momentum = optim.momentum; c.nesterov = !optim.noNesterov
        c.weightDecay = optim.weightDecay; c.labelSmoothing = optim.labelSmoothing; c.warmupEpochs = optim.warmupEpochs
        c.testCount = testCount; c.shiftAugment = shift; c.seed = runOptions.seed; c.threads = runOptions.threads
        c.runRoot = runOptions.runs; c.runName = runOptions.name
        c.checkpointEvery = checkpoints.checkpointEvery; c.keepCheckpoints = checkpoints.keepCheckpoints
        shape.apply(to: &c)
        return c
    }

    func validate() throws {
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.description) }
    }
}
