import Foundation
import RetortCore
import RunKit
import TrainEngine

/// The ViT's weights in timm's naming and layout (the PyTorch `VisionTransformer` of
/// tools/safetensors/check_export.py; timm's DeiT loads the same names):
///
///     patch_embed.proj.weight [D, C, p, p]   Retort keeps [D, p·p·C] (pixels dy, dx, c) — transposed
///     patch_embed.proj.bias   [D]
///     cls_token [1, 1, D]     pos_embed [1, n, D]            Retort keeps [D] and [n, D]
///     blocks.L.norm1.{weight,bias}  blocks.L.attn.qkv.{weight,bias} [3D, D]  blocks.L.attn.proj.*
///     blocks.L.norm2.*  blocks.L.mlp.fc1.*  blocks.L.mlp.fc2.*  norm.*  head.{weight,bias}
///
/// Kinds with the sparse path (taylor-sparse, taylor-repo) add the quantisers' running
/// statistics, `blocks.L.attn.quant_q.running_zero_point` / `.running_range` (and `quant_k`),
/// shape [1]; they are optional on import.
public enum ViTWeights {
    public static func tensors(of m: VisionTransformer) -> [(name: String, tensor: Tensor)] {
        let c = m.config
        var out: [(String, Tensor)] = []
        for p in m.parameters {
            switch p.name {
            case "patch_embed.proj.weight": out.append((p.name, toPyTorchPatch(p.value, c)))
            case "cls_token": out.append((p.name, p.value.copy().reshaped([1, 1, c.width])))
            case "pos_embed": out.append((p.name, p.value.copy().reshaped([1, c.tokens, c.width])))
            default: out.append((p.name, p.value))
            }
        }
        if m.kind == .taylorSparse || m.kind == .taylorRepo { out += quantizerTensors(m) }
        return out.map { (name: $0.0, tensor: $0.1) }
    }

    /// Loads a file in this layout, checking every name and shape first.
    public static func load(_ file: SafeTensorsFile, into m: VisionTransformer) throws {
        let quant = quantizerTensors(m)
        let expected = tensors(of: m).filter { !$0.name.contains(".quant_") } + quant
        try file.check(expected.map { ($0.name, $0.tensor.shape) }, optional: Set(quant.map(\.name)), model: m.config.name)
        for p in m.parameters {
            let t = file[p.name]!
            switch p.name {
            case "patch_embed.proj.weight": p.value.copy(from: fromPyTorchPatch(t, m.config))
            default: p.value.copy(from: t)
            }
        }
        for (i, core) in m.cores.enumerated() {
            let pre = "blocks.\(i).attn."
            if let z = file[pre + "quant_q.running_zero_point"], let r = file[pre + "quant_q.running_range"] {
                core.quantQ.runningZeroPoint = z[0]; core.quantQ.runningRange = r[0]
            }
            if let z = file[pre + "quant_k.running_zero_point"], let r = file[pre + "quant_k.running_range"] {
                core.quantK.runningZeroPoint = z[0]; core.quantK.runningRange = r[0]
            }
        }
    }

    /// The architecture of a file in this layout: width, depth, patch size, MLP ratio and
    /// classes from the shapes; `heads` cannot be seen in the shapes and is given.
    public static func config(_ file: SafeTensorsFile, imageSize: Int, heads: Int, name: String) throws -> ViTConfig {
        func bad(_ t: String, _ what: String) -> SafeTensorsError { SafeTensorsError("\(file.file): tensor '\(t)': \(what)") }
        let pw = try file.require("patch_embed.proj.weight")
        guard pw.rank == 4, pw.shape[2] == pw.shape[3] else { throw bad("patch_embed.proj.weight", "expected [D, C, p, p], got \(pw.shape)") }
        let width = pw.shape[0], channels = pw.shape[1], patch = pw.shape[2]
        var depth = 0
        while file["blocks.\(depth).norm1.weight"] != nil { depth += 1 }
        guard depth > 0 else { throw bad("blocks.0.norm1.weight", "missing (not a ViT export)") }
        let fc1 = try file.require("blocks.0.mlp.fc1.weight")
        guard fc1.rank == 2, fc1.shape[0] % width == 0 else { throw bad("blocks.0.mlp.fc1.weight", "expected [r·\(width), \(width)], got \(fc1.shape)") }
        let head = try file.require("head.weight")
        guard head.rank == 2 else { throw bad("head.weight", "expected [classes, \(width)], got \(head.shape)") }
        guard imageSize % patch == 0 else { throw bad("patch_embed.proj.weight", "patch \(patch) does not divide the \(imageSize)×\(imageSize) images") }
        let c = ViTConfig(name: name, imageSize: imageSize, channels: channels, patchSize: patch, width: width, heads: heads,
                          depth: depth, mlpRatio: fc1.shape[0] / width, classes: head.shape[0])
        do { try c.validate() } catch { throw SafeTensorsError("\(file.file): \(error)") }
        return c
    }

    static func quantizerTensors(_ m: VisionTransformer) -> [(name: String, tensor: Tensor)] {
        m.cores.enumerated().flatMap { i, core -> [(name: String, tensor: Tensor)] in
            let pre = "blocks.\(i).attn."
            return [(pre + "quant_q.running_zero_point", Tensor(shape: [1], values: [core.quantQ.runningZeroPoint])),
                    (pre + "quant_q.running_range", Tensor(shape: [1], values: [core.quantQ.runningRange])),
                    (pre + "quant_k.running_zero_point", Tensor(shape: [1], values: [core.quantK.runningZeroPoint])),
                    (pre + "quant_k.running_range", Tensor(shape: [1], values: [core.quantK.runningRange]))]
        }
    }

    /// [D, p·p·C] with columns (dy, dx, c) → Conv2d's [D, C, p, p].
    static func toPyTorchPatch(_ w: Tensor, _ c: ViTConfig) -> Tensor {
        let d = c.width, p = c.patchSize, ch = c.channels
        let out = Tensor(shape: [d, ch, p, p])
        for o in 0..<d { for dy in 0..<p { for dx in 0..<p { for k in 0..<ch {
            out.data[((o * ch + k) * p + dy) * p + dx] = w.data[o * p * p * ch + (dy * p + dx) * ch + k]
        } } } }
        return out
    }

    /// Conv2d's [D, C, p, p] → [D, p·p·C].
    static func fromPyTorchPatch(_ w: Tensor, _ c: ViTConfig) -> Tensor {
        let d = c.width, p = c.patchSize, ch = c.channels
        let out = Tensor(shape: [d, p * p * ch])
        for o in 0..<d { for dy in 0..<p { for dx in 0..<p { for k in 0..<ch {
            out.data[o * p * p * ch + (dy * p + dx) * ch + k] = w.data[((o * ch + k) * p + dy) * p + dx]
        } } } }
        return out
    }
}

public extension ViTWeights {
    /// Writes the job's ViT with the metadata `retort eval` needs (heads, attention, split):
    /// `attention train --export-dir` and the Attention tab's save.
    static func export(_ job: AttentionJob, to url: URL) throws {
        let c = job.config
        let info = WeightsInfo(model: "vit", data: c.data, splitSeed: c.seed, testCount: c.testCount, heads: c.model.heads,
                               attention: job.model.kind.rawValue, source: "retort attention train (step \(job.step))")
        try info.write(tensors(of: job.model), extra: ["model": c.model.name, "step": "\(job.step)"], to: url)
    }
}
