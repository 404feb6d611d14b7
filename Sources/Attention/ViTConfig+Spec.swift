import Foundation
import RetortModels

/// The shape of a ViT in flag form (`--vit "depth=4,width=64,heads=4,patch=4,mlp=4"`): each
/// key is optional and overrides the preset; image size, channels and classes come from the
/// data. Also a Codable part of configs.
public struct ViTSpec: Codable, Sendable, Equatable {
    public var depth: Int?
    public var width: Int?
    public var heads: Int?
    public var patch: Int?
    public var mlpRatio: Int?

    public init(depth: Int? = nil, width: Int? = nil, heads: Int? = nil, patch: Int? = nil, mlpRatio: Int? = nil) {
        self.depth = depth; self.width = width; self.heads = heads; self.patch = patch; self.mlpRatio = mlpRatio
    }

    public static let grammar = "depth=N,width=N,heads=N,patch=N,mlp=N (any subset)"
    static let bounds: [(key: String, range: ClosedRange<Int>)] = [
        ("depth", 1...64), ("width", 1...4096), ("heads", 1...64), ("patch", 1...64), ("mlp", 1...16),
    ]

    /// Parses `key=value` pairs separated by commas or semicolons; the error names the key and
    /// what is allowed.
    public static func parse(_ text: String) throws -> ViTSpec {
        var s = ViTSpec()
        var seen: Set<String> = []
        let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw AttentionError("vit: empty spec (form: \(grammar))") }
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = kv[0].trimmingCharacters(in: .whitespaces).lowercased()
            let canonical = key == "mlp-ratio" || key == "mlp_ratio" ? "mlp" : key
            guard let b = bounds.first(where: { $0.key == canonical }) else {
                throw AttentionError("vit: unknown key '\(key)' (allowed: depth, width, heads, patch, mlp)")
            }
            guard kv.count == 2 else { throw AttentionError("vit: \(canonical): needs a value (\(canonical)=N)") }
            guard seen.insert(canonical).inserted else { throw AttentionError("vit: \(canonical): given twice") }
            let text = kv[1].trimmingCharacters(in: .whitespaces)
            guard let v = Int(text), b.range.contains(v) else {
                throw AttentionError("vit: \(canonical): must be a whole number in \(b.range.lowerBound)…\(b.range.upperBound), got '\(text)'")
            }
            switch canonical {
            case "depth": s.depth = v
            case "width": s.width = v
            case "heads": s.heads = v
            case "patch": s.patch = v
            default: s.mlpRatio = v
            }
        }
        return s
    }

    /// The canonical text of the keys that are set.
    public var text: String {
        [("depth", depth), ("width", width), ("heads", heads), ("patch", patch), ("mlp", mlpRatio)]
            .compactMap { k, v in v.map { "\(k)=\($0)" } }.joined(separator: ",")
    }

    /// `base` with the keys that are set replaced; the name records the shape when it changes.
    public func applied(to base: ViTConfig) -> ViTConfig {
        var v = base
        v.depth = depth ?? v.depth; v.width = width ?? v.width; v.heads = heads ?? v.heads
        v.patchSize = patch ?? v.patchSize; v.mlpRatio = mlpRatio ?? v.mlpRatio
        if v != base { v.name = ViTConfig.generatedName(v, prefix: base.name) }
        return v
    }
}

extension ViTConfig {
    /// "vit-mnist-w32-d2-h2" (+ "-p7", "-m2" when patch or MLP ratio differ from the base name's).
    static func generatedName(_ v: ViTConfig, prefix: String) -> String {
        let stem = prefix.split(separator: "-").prefix(2).joined(separator: "-")
        return "\(stem)-w\(v.width)-d\(v.depth)-h\(v.heads)-p\(v.patchSize)-m\(v.mlpRatio)"
    }

    /// The ViT for square images of `shape` with the shape of `spec` over the preset for the
    /// image size (patch 4 from 16 pixels up, else 2; width 64, 4 heads, 4 blocks, MLP ×4).
    /// Throws a one-line error for non-square images or a shape that does not fit them.
    public static func make(_ spec: ViTSpec?, for shape: ModelShape, name: String = "vit") throws -> ViTConfig {
        guard shape.height == shape.width else {
            throw AttentionError("vit: the ViT takes square images, the data's are \(shape.height)×\(shape.width)")
        }
        let base = ViTConfig(name: name, imageSize: shape.height, channels: shape.channels, patchSize: shape.height >= 16 ? 4 : 2,
                             width: 64, heads: 4, depth: 4, mlpRatio: 4, classes: shape.classes)
        let v = (spec ?? ViTSpec()).applied(to: base)
        try v.validate()
        return v
    }
}
