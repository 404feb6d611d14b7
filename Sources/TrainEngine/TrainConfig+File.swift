import RunKit
import RetortModels

/// `retort train --config FILE`: the keys of `config.json`, plus the flags' names.
extension TrainConfig: FileConfigurable {
    public static var fileTemplate: TrainConfig {
        var c = TrainConfig()
        c.runName = "name"; c.dataOptions = .template; c.cnn = .template
        return c
    }
    public static var fileAliases: [String: String] {
        ["shift": "shiftAugment", "hidden": "mlpHidden", "runs": "runRoot", "name": "runName",
         "test-data": "dataOptions.test", "layout": "dataOptions.layout", "shape": "dataOptions.shape", "flip": "dataOptions.flip",
         "label-column": "dataOptions.labelColumn", "header": "dataOptions.header"]
    }
    /// A run folder is never reused: a replayed `config.json`'s name is not taken.
    public static var fileIgnoredKeys: Set<String> { ["runName"] }
}
