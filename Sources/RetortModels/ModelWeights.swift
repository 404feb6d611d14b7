import RetortCore

/// A RetortModels network's weights as named tensors, the `state_dict` of the PyTorch module
/// that mirrors it (tools/safetensors/check_export.py defines both), without BatchNorm's
/// `num_batches_tracked`:
///
/// - names are Retort's parameter names, which are the module paths: MLP `fc1.weight`, …,
///   `classifier.bias`; tiny CNN `stem.weight`, `stem_bn.{weight,bias,running_mean,running_var}`,
///   `blocks.J.expand.weight`, `blocks.J.expand_bn.*`, `blocks.J.dw.weight`, `blocks.J.dw_bn.*`,
///   `blocks.J.project.weight`, `blocks.J.project_bn.*`, `head.weight`, `head_bn.*`,
///   `classifier.{weight,bias}`;
/// - layouts are PyTorch's already: Linear [out, in], Conv2d [out, in/groups, kh, kw] (only
///   activations are NHWC in Retort), so no tensor is transposed;
/// - BatchNorm running statistics are those used at the model's full (allocated) width.
public enum ModelWeights {
    public static func tensors(of model: Model) -> [(name: String, tensor: Tensor)] {
        let stats = runningStatistics(model)
        var out: [(String, Tensor)] = []
        for p in model.parameters {
            out.append((p.name, p.value))
            if p.name.hasSuffix(".bias"), let s = stats[String(p.name.dropLast(5))] {
                out.append((String(p.name.dropLast(5)) + ".running_mean", s.mean))
                out.append((String(p.name.dropLast(5)) + ".running_var", s.variance))
            }
        }
        return out.map { (name: $0.0, tensor: $0.1) }
    }

    /// Copies the file's tensors into `model` after checking that names and shapes match
    /// exactly (one-line error naming the tensor and both shapes otherwise).
    public static func load(_ file: SafeTensorsFile, into model: Model) throws {
        let dst = tensors(of: model)
        try file.check(dst.map { ($0.name, $0.tensor.shape) }, model: model.name)
        for (name, t) in dst { t.copy(from: file[name]!) }
    }

    /// BatchNorms by name prefix (the weight's name without `.weight`).
    static func runningStatistics(_ model: Model) -> [String: (mean: Tensor, variance: Tensor)] {
        guard let cnn = model as? TinyCNN else { return [:] }
        var out: [String: (Tensor, Tensor)] = [:]
        for bn in cnn.batchNorms { out[String(bn.weight.name.dropLast(7))] = (bn.runningMean, bn.runningVar) }
        return out.mapValues { (mean: $0.0, variance: $0.1) }
    }

    // MARK: - architecture from a file

    /// MLP hidden widths from `fc1.weight`, `fc2.weight`, … (the file must hold `fc1`).
    public static func mlpHidden(_ file: SafeTensorsFile) throws -> [Int] {
        var hidden: [Int] = []
        while let w = file["fc\(hidden.count + 1).weight"] {
            guard w.rank == 2 else { throw SafeTensorsError("\(file.file): tensor 'fc\(hidden.count + 1).weight': expected 2 dimensions [out, in], got \(w.shape)") }
            hidden.append(w.shape[0])
        }
        guard !hidden.isEmpty else { throw SafeTensorsError("\(file.file): tensor 'fc1.weight' missing (not an MLP export)") }
        return hidden
    }

    /// The tiny CNN's widths and depthwise kernels from the file's tensor shapes; strides,
    /// block count, input and classes come from `base` (the file's `retort.cnn` metadata or
    /// the data set's configuration).
    public static func tinyCNNConfig(_ file: SafeTensorsFile, base: TinyCNNConfig) throws -> TinyCNNConfig {
        func dim0(_ name: String) throws -> Int {
            let t = try file.require(name)
            guard t.rank == 4 else { throw SafeTensorsError("\(file.file): tensor '\(name)': expected 4 dimensions [out, in, kh, kw], got \(t.shape)") }
            return t.shape[0]
        }
        var cfg = base
        cfg.stem = try dim0("stem.weight")
        var inWidth = cfg.stem
        for j in cfg.blocks.indices {
            let mid = try dim0("blocks.\(j).dw.weight"), out = try dim0("blocks.\(j).project.weight")
            let dw = try file.require("blocks.\(j).dw.weight")
            guard dw.shape[2] == dw.shape[3], dw.shape[2] % 2 == 1 else {
                throw SafeTensorsError("\(file.file): tensor 'blocks.\(j).dw.weight': expected a square odd depthwise kernel, got \(dw.shape)")
            }
            var expand = 1
            if file["blocks.\(j).expand.weight"] != nil {
                guard mid % inWidth == 0, mid / inWidth > 1 else {
                    throw SafeTensorsError("\(file.file): tensor 'blocks.\(j).dw.weight': \(mid) channels is not an expansion (×2 or more) of the block's \(inWidth) inputs")
                }
                expand = mid / inWidth
            }
            cfg.blocks[j] = .init(out: out, expand: expand, stride: base.blocks[j].stride, kernel: dw.shape[2])
            inWidth = out
        }
        if file["blocks.\(cfg.blocks.count).dw.weight"] != nil {
            throw SafeTensorsError("\(file.file): tensor 'blocks.\(cfg.blocks.count).dw.weight': the \(base.inputHeight)×\(base.inputWidth) tiny CNN has \(cfg.blocks.count) blocks")
        }
        cfg.head = try dim0("head.weight")
        return cfg
    }
}
