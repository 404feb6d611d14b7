import ArgumentParser
import RetortData
import RunKit
import TrainEngine

/// Options shared by every command that trains the plain model (`train`, `tui`). Each run
/// option is nil unless given: the config is `--config FILE`'s (or `TrainConfig`'s defaults)
/// with the options given on top.
struct TrainOptions: ParsableArguments {
    @OptionGroup var file: ConfigFileOption
    @Option(help: "Data: a sample (mnist5k, digits) or a data file or folder (NumPy .npy/.npz, IDX, CIFAR binary, PNG/JPEG class folders, CSV; see `retort data inspect`). (default: \(TrainConfig().data))") var data: DataSource?
    @Option(help: "Model: mlp (784-256-256-10) or cnn (tiny MobileNetV2-style). (default: \(TrainConfig().model.rawValue))") var model: TrainConfig.ModelKind?
    @Option(help: "Width multiplier of the model. (default: \(TrainConfig().width))") var width: Float?
    @OptionGroup var optim: OptimOptions<TrainConfig>
    @Option(help: "Images held out for testing. (default: \(TrainConfig().testCount))") var testCount: Int?
    @Option(help: "Random shift augmentation in pixels, 0…16: a random crop of the image padded by this many pixels (0 = off; images only). (default: \(TrainConfig().shiftAugment))") var shift: Int?
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var dataRead: DataReadOptions
    @OptionGroup var shape: ModelOptions
    @OptionGroup var checkpoints: CheckpointOptions

    /// The options given, over `base`.
    func applied(over base: TrainConfig) -> TrainConfig {
        var c = base
        if let data { c.data = data.absolute }
        c.dataOptions = dataRead.applied(to: c.dataOptions)
        shape.apply(to: &c)
        if let model { c.model = model }
        if let width { c.width = width }
        optim.apply(to: &c)
        if let testCount { c.testCount = testCount }
        if let shift { c.shiftAugment = shift }
        runOptions.apply(to: &c)
        if let v = checkpoints.checkpointEvery { c.checkpointEvery = v }
        if let v = checkpoints.keepCheckpoints { c.keepCheckpoints = v }
        return c
    }

    /// The run's config: the file's (or the defaults) with the options given on top.
    var config: TrainConfig { applied(over: file.load(TrainConfig.self)?.config ?? TrainConfig()) }

    func validate() throws {
        try checkConfig(file.load(TrainConfig.self), options: applied(over:)) { try $0.validate() }
    }
}
