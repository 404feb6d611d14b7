import RunKit
import TrainEngine

/// `retort distill --config FILE`: the keys of `config.json`, plus the flags' names. A file
/// that names a `method` starts from that method's preset (as `--method` does).
extension DistillConfig: FileConfigurable {
    public static var fileTemplate: DistillConfig {
        var c = DistillConfig()
        c.testCount = 1; c.runName = "name"; c.dataOptions = .template; c.cnn = .template; c.randomWidths = [1]; c.randomExpands = [1]; c.collapseDrop = 1; c.calibrationHoldout = 0.1; c.keepStudent = .heldOut
        return c
    }
    public static var fileAliases: [String: String] {
        ["hidden": "mlpHidden", "stop-width-aug": "stopWidthAugmentEpochs", "teacher": "teacherLoss", "kd-warmup": "kdWarmupEpochs",
         "bn": "batchNorm", "shift": "shiftAugment", "runs": "runRoot", "name": "runName",
         "test-data": "dataOptions.test", "layout": "dataOptions.layout", "shape": "dataOptions.shape", "flip": "dataOptions.flip",
         "label-column": "dataOptions.labelColumn", "header": "dataOptions.header"]
    }
    public static var fileIgnoredKeys: Set<String> { ["runName"] }
    public static func fileBase(_ scalars: [String: String]) -> DistillConfig {
        scalars["method"].flatMap(DistillMethod.init(rawValue:)).map(DistillConfig.preset) ?? DistillConfig()
    }
}
