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
    /// The data set it was trained on (metadata or `--data`).
    public let source: DataSource
    public let info: WeightsInfo
    /// e.g. "ViT (16 wide, 2 blocks, 4 heads, patch 2, taylor attention, 7,210 parameters)".
    public let described: String

    /// A one-line problem with the file's metadata or flags (the safetensors and shape
    /// errors of the readers are thrown as they are).
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// The data set `url` names in its metadata, or `data` when given.
    public static func dataSource(_ url: URL, data: DataSource? = nil) throws -> DataSource {
        if let data { return data }
        let info = WeightsInfo(metadata: try SafeTensors.read(url).metadata)
        guard let d = info.data else { throw LoadError("\(url.lastPathComponent): the metadata does not name the data set (retort.data): pass --data mnist5k|digits|PATH") }
        return d
    }

    /// Reads `url`; `model`, `data`, `heads` and `attention` override the metadata. The model
    /// is built for `signature` (the loaded data's image shape and classes; known without
    /// loading for the bundled samples).
    public static func load(_ url: URL, model: String? = nil, data: DataSource? = nil, signature: DataSignature? = nil,
                            heads: Int? = nil, attention: String? = nil) throws -> SavedModel {
        let file = try SafeTensors.read(url)
        let info = WeightsInfo(metadata: file.metadata)
        let name = url.lastPathComponent
        guard let kind = model ?? info.model else { throw LoadError("\(name): the metadata does not name the model (retort.model): pass --model mlp|cnn|vit") }
        guard ["mlp", "cnn", "vit"].contains(kind) else { throw LoadError("\(name): model '\(kind)' unknown (allowed: mlp, cnn, vit)") }
        guard let source = data ?? info.data else { throw LoadError("\(name): the metadata does not name the data set (retort.data): pass --data mnist5k|digits|PATH") }
        guard let sig = signature ?? source.sample.map({ DataSignature($0) }) else {
            throw LoadError("\(name): data \(source) must be loaded to know its image shape (pass its signature)")
        }
        if kind == "vit" {
            guard let h = heads ?? info.heads else { throw LoadError("\(name): the metadata does not give the heads (retort.heads): pass --heads N") }
            guard let kindText = attention ?? info.attention else { throw LoadError("\(name): the metadata does not give the attention (retort.attention): pass --attention softmax|taylor") }
            guard let ak = AttentionKind(rawValue: kindText) else {
                throw LoadError("attention: unknown '\(kindText)' (allowed: \(AttentionKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let cfg = try ViTWeights.config(file, imageSize: sig.shape.height, heads: h, name: "vit-\(source.shortName)")
            let vit = VisionTransformer(cfg, kind: ak, seed: 0)
            try ViTWeights.load(file, into: vit)
            return SavedModel(net: vit, inputShape: vit.inputShape, source: source, info: info,
                              described: "ViT (\(cfg.width) wide, \(cfg.depth) blocks, \(h) heads, patch \(cfg.patchSize), \(ak.rawValue) attention, \(vit.parameterCount) parameters)")
        }
        let m = try TrainWeights.model(from: file, kind: kind == "mlp" ? .mlp : .cnn, data: sig)
        return SavedModel(net: m, inputShape: m.inputShape, source: source, info: info, described: "\(m.name) (\(m.parameterCount) parameters)")
    }
}
