import RunKit

/// `retort attention train --config FILE`: the keys of `config.json`, plus the flags' names
/// (`sparse-threshold`, `quant-bits` for the nested `sparse` keys).
extension AttentionTrainConfig: FileConfigurable {
    public static var fileTemplate: AttentionTrainConfig {
        var c = AttentionTrainConfig()
        c.vit = .mnist; c.shiftAugment = 2; c.centring = .tokens; c.runName = "name"; c.dataOptions = .template; c.compareFolder = "compare"
        return c
    }
    public static var fileAliases: [String: String] {
        ["shift": "shiftAugment", "sparse-threshold": "sparse.threshold", "quant-bits": "sparse.bits", "quant-momentum": "sparse.momentum",
         "sparse-threshold-mode": "sparse.thresholdMode", "sparse-kept-fraction": "sparse.keptFraction",
         "sparse-reference-tokens": "sparse.referenceTokens", "sparse-inv-sqrt-d": "sparse.scaleByInvSqrtD",
         "shared-quantizer": "sparse.sharedQuantizer",
         "runs": "runRoot", "name": "runName",
         "test-data": "dataOptions.test", "layout": "dataOptions.layout", "shape": "dataOptions.shape", "flip": "dataOptions.flip",
         "label-column": "dataOptions.labelColumn", "header": "dataOptions.header"]
    }
    /// The run folder and the comparison folder are the new run's own.
    public static var fileIgnoredKeys: Set<String> { ["runName", "compareFolder"] }
}
