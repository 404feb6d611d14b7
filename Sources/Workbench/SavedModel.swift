import Attention
import Foundation
import RetortCore
import RetortData
import RetortModels
import TrainEngine

/// A model rebuilt from a safetensors export — what `retort eval` reads, and the check that
/// every save path's file loads: an MLP or tiny CNN (`retort train`, the Distill student) or a
/// ViT (`retort attention train`, the Attention tab). The architecture comes from the shapes;
/// model, data set, heads and attention from the `retort.*` metadata unless given.
public struct SavedModel {
    public let net: Layer
    public let inputShape: [Int]
    public let sample: SampleData
    public let info: WeightsInfo
    /// e.g. "ViT (16 wide, 2 blocks, 4 heads, patch 2, taylor attention, 7,210 parameters)".
    public let described: String

    /// A one-line problem with the file's metadata or flags (the safetensors and shape
    /// errors of the readers are thrown as they are).
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Reads `url`; `model`, `data`, `heads` and `attention` override the metadata.
    public static func load(_ url: URL, model: String? = nil, data: SampleData? = nil,
                            heads: Int? = nil, attention: String? = nil) throws -> SavedModel {
        let file = try SafeTensors.read(url)
        let info = WeightsInfo(metadata: file.metadata)
        let name = url.lastPathComponent
        guard let kind = model ?? info.model else { throw LoadError("\(name): the metadata does not name the model (retort.model): pass --model mlp|cnn|vit") }
        guard ["mlp", "cnn", "vit"].contains(kind) else { throw LoadError("\(name): model '\(kind)' unknown (allowed: mlp, cnn, vit)") }
        guard let dataSet = data ?? info.data else { throw LoadError("\(name): the metadata does not name the data set (retort.data): pass --data mnist5k|digits") }
        let sample = dataSet
        if kind == "vit" {
            guard let h = heads ?? info.heads else { throw LoadError("\(name): the metadata does not give the heads (retort.heads): pass --heads N") }
            guard let kindText = attention ?? info.attention else { throw LoadError("\(name): the metadata does not give the attention (retort.attention): pass --attention softmax|taylor") }
            guard let ak = AttentionKind(rawValue: kindText) else {
                throw LoadError("attention: unknown '\(kindText)' (allowed: \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let cfg = try ViTWeights.config(file, imageSize: sample.imageSide, heads: h, name: "vit-\(dataSet.rawValue)")
            let vit = VisionTransformer(cfg, kind: ak, seed: 0)
            try ViTWeights.load(file, into: vit)
            return SavedModel(net: vit, inputShape: vit.inputShape, sample: sample, info: info,
                              described: "ViT (\(cfg.width) wide, \(cfg.depth) blocks, \(h) heads, patch \(cfg.patchSize), \(ak.rawValue) attention, \(vit.parameterCount) parameters)")
        }
        let m = try TrainWeights.model(from: file, kind: kind == "mlp" ? .mlp : .cnn, sample: sample)
        return SavedModel(net: m, inputShape: m.inputShape, sample: sample, info: info, described: "\(m.name) (\(m.parameterCount) parameters)")
    }
}
