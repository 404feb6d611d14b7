import Foundation
import RetortCore
import RetortData
import RetortModels
import RunKit
import TrainEngine

/// A RetortModels network (MLP or tiny CNN) allocated at the teacher's maximum width,
/// whose first-k slice is the student (every width factor 1).
///
/// Width groups follow RetortModels: MLP hidden layers; for the CNN the stem, every block
/// without a shortcut and the head (output widths), plus one expand factor per inverted
/// block. The classifier's outputs are never widened.
public final class WeightSharingNet {
    public let model: Model
    public let parameters: [Parameter]
    /// The student: factor 1 in every group.
    public let student: WidthChoice
    /// The fixed teacher (the configured factors; the largest configuration in random mode).
    public let teacher: WidthChoice
    /// The allocation (every group at the largest factor any pass uses).
    public let allocation: WidthChoice
    /// Output-width groups and expand groups of the model.
    public let groupCount: Int
    public let blockCount: Int
    /// Student elements of every parameter (the shared elements S_sh).
    public let layout: SharedLayout
    /// Elements the fixed teacher touches (for channel sorting: channels beyond it are unused).
    public let teacherLayout: SharedLayout
    /// BatchNorm layers by name (e.g. "blocks.1.expand_bn"), found in the model.
    public let batchNorms: [(name: String, layer: BatchNorm)]

    /// Builds the model for `config` on the loaded data's images and classes (see `init(config:shape:)`).
    public convenience init(config c: DistillConfig, data: DataSignature) throws {
        try self.init(config: c, shape: data.modelShape)
    }

    /// Builds the model for `config` on data `sample` (see `init(config:shape:)`).
    public convenience init(config c: DistillConfig, sample: SampleData) throws {
        try self.init(config: c, shape: sample.modelShape)
    }

    /// Builds the model for `config` on images and classes of `shape`. Throws a one-line
    /// ConfigError for factor lists that do not match the model's groups or a CNN spec that
    /// does not fit the images.
    public init(config c: DistillConfig, shape: ModelShape) throws {
        let randomW = c.effectiveRandomWidths, randomE = c.effectiveRandomExpands
        let model: Model
        let groups: Int, blocks: Int
        func expandList(_ list: [Float], _ n: Int, _ field: String) throws -> [Float] {
            if list.count == 1 { return Array(repeating: list[0], count: n) }
            if list.count == n { return list }
            let what = field == "teacher-expand" ? "inverted block" : "layer group"
            throw ConfigError("\(field): give 1 value or \(n) (one per \(what) of this model), got \(list.count)")
        }
        switch c.model {
        case .mlp:
            groups = c.mlpHidden.count; blocks = 0
        case .cnn:
            let cfg = try Self.cnnConfig(c, shape: shape)
            blocks = cfg.blocks.count
            // stem + blocks without a shortcut + head (as TinyCNN counts them)
            var g = 1, inBase = cfg.stem
            for b in cfg.blocks { if !(b.stride == 1 && b.out == inBase) { g += 1 }; inBase = b.out }
            groups = g + 1
        }
        let tw = try expandList(c.teacherWidth, groups, "teacher-width")
        let te = c.model == .cnn ? try expandList(c.teacherExpand, blocks, "teacher-expand") : []
        let maxOut = max(tw.max() ?? 1, randomW.max() ?? 1)
        let maxExp = max(te.max() ?? 1, randomE.max() ?? 1)
        switch c.model {
        case .mlp:
            model = MLP(shape, hidden: c.mlpHidden, width: c.studentWidth, maxFactor: maxOut, seed: c.seed)
        case .cnn:
            model = TinyCNN(try Self.cnnConfig(c, shape: shape), maxOutput: maxOut, maxExpand: maxExp,
                            perWidthBatchNorm: c.batchNorm == .perWidth, seed: c.seed)
        }
        self.model = model
        parameters = model.parameters
        groupCount = groups; blockCount = blocks
        student = WidthChoice(output: Array(repeating: 1, count: groups), expand: Array(repeating: 1, count: blocks))
        allocation = WidthChoice(output: Array(repeating: maxOut, count: groups), expand: Array(repeating: maxExp, count: blocks))
        if c.randomSampling {
            // The evaluated teacher is the largest configuration the sampling can produce.
            let rw = randomW.isEmpty ? tw : Array(repeating: randomW.max()!, count: groups)
            let re = randomE.isEmpty ? te : Array(repeating: randomE.max()!, count: blocks)
            teacher = WidthChoice(output: rw, expand: re)
        } else {
            teacher = WidthChoice(output: tw, expand: te)
        }
        batchNorms = Self.findBatchNorms(model)
        var rng = RNG(seed: c.seed ^ 0x5052_4F42_4521)
        layout = Self.probeLayout(model, width: student, rng: &rng)
        teacherLayout = Self.probeLayout(model, width: teacher, rng: &rng)
        for bn in batchNorms { bn.layer.resetRunningStatistics() }   // the probes ran in training mode
        model.setWidth(student)
    }

    /// The student's CNN (`c.cnn`, default Retort's tiny net for the image size) for `shape`,
    /// scaled by the student width; a spec that does not fit is a one-line ConfigError.
    public static func cnnConfig(_ c: DistillConfig, shape: ModelShape) throws -> TinyCNNConfig {
        do { return try TinyCNNConfig.make(c.cnn, for: shape, width: c.studentWidth) }
        catch let e as ModelSpecError { throw ConfigError(e.description) }
    }

    /// `cnnConfig(_:shape:)` for a sample data set.
    public static func cnnConfig(_ c: DistillConfig, sample: SampleData) throws -> TinyCNNConfig {
        try cnnConfig(c, shape: sample.modelShape)
    }

    public var name: String { model.name }
    public var hasBatchNorm: Bool { !batchNorms.isEmpty }

    // MARK: - widths

    /// NetAug "random": every output group and every expand group drawn independently and
    /// uniformly from the lists (a group whose list is empty keeps the fixed teacher's factor).
    public func sample(widths: [Float], expands: [Float], rng: inout RNG) -> WidthChoice {
        var w = teacher
        if !widths.isEmpty { for g in 0..<groupCount { w.output[g] = widths[rng.int(widths.count)] } }
        if !expands.isEmpty { for b in 0..<blockCount { w.expand[b] = expands[rng.int(expands.count)] } }
        return w
    }

    // MARK: - layout probing

    /// The first-k box of every parameter that a pass at `width` touches: one training-mode
    /// forward/backward of random data into zeroed scratch gradients, then the bounding box
    /// of the non-zero gradient entries (a prefix box by construction of the slicing).
    static func probeLayout(_ model: Model, width: WidthChoice, rng: inout RNG) -> SharedLayout {
        let params = model.parameters
        let saved = params.map(\.grad)
        let scratch = params.map { Tensor(shape: $0.shape) }
        for (p, g) in zip(params, scratch) { p.grad = g }
        defer { for (p, g) in zip(params, saved) { p.grad = g } }
        model.setWidth(width)
        for _ in 0..<2 {
            let x = Tensor(shape: [16] + model.inputShape)
            x.fillNormal(std: 1, rng: &rng)
            let y = model.forward(x, training: true)
            let dy = Tensor(shape: y.shape)
            dy.fillNormal(std: 1, rng: &rng)
            model.backwardParameters(dy)
        }
        var extents: [[Int]] = []
        for g in scratch {
            let s = g.shape
            var e = [Int](repeating: 0, count: s.count)
            var strides = [Int](repeating: 1, count: s.count)
            if s.count >= 2 { for d in stride(from: s.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * s[d + 1] } }
            for j in 0..<g.count where g.data[j] != 0 {
                var rem = j
                for d in 0..<s.count { let k = rem / strides[d]; rem %= strides[d]; e[d] = max(e[d], k + 1) }
            }
            extents.append(e)
        }
        return SharedLayout(names: params.map(\.name), shapes: params.map(\.shape), extents: extents)
    }

    // MARK: - BatchNorm

    /// Every BatchNorm of the model in forward order, named after its γ parameter.
    static func findBatchNorms(_ model: Model) -> [(name: String, layer: BatchNorm)] {
        model.batchNorms.map { (name: String($0.weight.name.dropLast(".weight".count)), layer: $0) }
    }

    /// Every stored running-statistics tensor of `bn` with its width (full width first).
    static func statisticsTensors(_ bn: BatchNorm) -> [(width: Int, mean: Tensor, variance: Tensor)] {
        var out: [(Int, Tensor, Tensor)] = [(bn.features, bn.runningMean, bn.runningVar)]
        for w in bn.trackedWidths where w != bn.features {
            let s = bn.runningStatistics(width: w)
            out.append((w, s.mean, s.var))
        }
        return out.map { (width: $0.0, mean: $0.1, variance: $0.2) }
    }

    /// Re-estimates the running statistics used at `width` as the plain average of the
    /// batch statistics over `samples` training images (NetAug's `reset_bn`): training-mode
    /// forwards at `width`, undoing each momentum update to recover the batch's values.
    /// Statistics of other widths are left as they were. Returns the batches used.
    @discardableResult
    public func recalibrate(width: WidthChoice, data: ImageData, samples: Int, batchSize: Int = 200) -> Int {
        guard hasBatchNorm else { return 0 }
        model.setWidth(width)
        let n = min(samples, data.count)
        let b = max(2, min(batchSize, n))
        let batches = max(1, n / b)
        // per BatchNorm, per width: element sums and counts of the recovered batch statistics
        var sums: [[Int: (mean: [Double], variance: [Double], count: [Int])]] = Array(repeating: [:], count: batchNorms.count)
        let all = Array(0..<data.count)
        for k in 0..<batches {
            let before = batchNorms.map { bn in
                Dictionary(Self.statisticsTensors(bn.layer).map { ($0.width, ($0.mean.array, $0.variance.array)) }, uniquingKeysWith: { a, _ in a })
            }
            let (x, _) = data.batch(all[(k * b)..<((k + 1) * b)], sampleShape: model.inputShape)
            _ = model.forward(x, training: true)
            for (i, bn) in batchNorms.enumerated() {
                let m = Double(bn.layer.momentum)
                for s in Self.statisticsTensors(bn.layer) {
                    let old = before[i][s.width] ?? ([Float](repeating: 0, count: s.width), [Float](repeating: 1, count: s.width))
                    var acc = sums[i][s.width] ?? ([Double](repeating: 0, count: s.width), [Double](repeating: 0, count: s.width), [Int](repeating: 0, count: s.width))
                    for j in 0..<s.width {
                        let nm = s.mean.data[j], nv = s.variance.data[j]
                        guard nm != old.0[j] || nv != old.1[j] else { continue }
                        acc.mean[j] += (Double(nm) - (1 - m) * Double(old.0[j])) / m
                        acc.variance[j] += (Double(nv) - (1 - m) * Double(old.1[j])) / m
                        acc.count[j] += 1
                    }
                    sums[i][s.width] = acc
                }
            }
        }
        for (i, bn) in batchNorms.enumerated() {
            for s in Self.statisticsTensors(bn.layer) {
                guard let acc = sums[i][s.width] else { continue }
                for j in 0..<s.width where acc.count[j] > 0 {
                    s.mean.data[j] = Float(acc.mean[j] / Double(acc.count[j]))
                    s.variance.data[j] = Float(max(0, acc.variance[j] / Double(acc.count[j])))
                }
            }
        }
        return batches
    }

    // MARK: - channel sorting

    /// Re-sorts channels by decreasing L1 importance, permuting every dependent row,
    /// column, BatchNorm parameter and running statistic (and the optimiser's state), so
    /// that the network at the teacher's widths computes the same function:
    ///
    /// - CNN: the hidden (expanded) channels of every inverted block with an expansion
    ///   conv; importance = Σ|project conv weight| over its outputs (NetAug / OFA);
    /// - MLP: the units of every hidden layer; importance = Σ|next layer's weight| over
    ///   its outputs.
    ///
    /// Only channels inside the teacher's width take part (channels beyond it are never
    /// trained). Returns the permutation applied per sorted group (new index → old index).
    @discardableResult
    public func sortChannels(optimizer: Optimizer?) -> [(group: String, permutation: [Int])] {
        let byName = Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let index = Dictionary(parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let bns = Dictionary(batchNorms.map { ($0.name, $0.layer) }, uniquingKeysWith: { a, _ in a })
        var applied: [(String, [Int])] = []

        func state(_ p: Parameter) -> [Tensor] {
            var out = [p.value]
            if let sgd = optimizer as? SGD, let i = sgd.parameters.firstIndex(where: { $0 === p }), let b = sgd.momentumBuffers[i] { out.append(b) }
            if let adam = optimizer as? AdamW, let i = adam.parameters.firstIndex(where: { $0 === p }) {
                out.append(adam.firstMoments[i]); out.append(adam.secondMoments[i])
            }
            return out
        }
        func permuteRows(_ p: Parameter, _ perm: [Int]) { for t in state(p) { Self.permute(t, dim: 0, perm) } }
        func permuteCols(_ p: Parameter, _ perm: [Int]) { for t in state(p) { Self.permute(t, dim: 1, perm) } }
        func permuteBN(_ name: String, _ perm: [Int]) {
            guard let bn = bns[name] else { return }
            permuteRows(bn.weight, perm); permuteRows(bn.bias, perm)
            let full = (bn.runningMean.array, bn.runningVar.array)
            for s in Self.statisticsTensors(bn) {
                if s.width == bn.features { Self.permute(s.mean, dim: 0, perm); Self.permute(s.variance, dim: 0, perm); continue }
                // A narrower width's own statistics: channels that move in from beyond that
                // width take the full-width values (refreshed by the next training batches).
                let om = s.mean.array, ov = s.variance.array
                for i in 0..<s.width {
                    let src = i < perm.count ? perm[i] : i
                    s.mean.data[i] = src < s.width ? om[src] : full.0[src]
                    s.variance.data[i] = src < s.width ? ov[src] : full.1[src]
                }
            }
        }
        /// Permutation of the first `n` of `total` entries by decreasing importance (stable).
        func order(_ importance: [Double], n: Int) -> [Int] {
            let head = (0..<n).sorted { importance[$0] != importance[$1] ? importance[$0] > importance[$1] : $0 < $1 }
            return head + Array(n..<importance.count)
        }

        if model is MLP {
            let hidden = parameters.filter { $0.name.hasPrefix("fc") && $0.name.hasSuffix(".weight") }.map { String($0.name.dropLast(7)) }
            for (li, layer) in hidden.enumerated() {
                guard let w = byName[layer + ".weight"], let i = index[layer + ".weight"] else { continue }
                let nextName = li + 1 < hidden.count ? hidden[li + 1] + ".weight" : "classifier.weight"
                guard let next = byName[nextName] else { continue }
                let units = w.shape[0], rowsNext = next.shape[0], colsNext = next.shape[1]
                let n = teacherLayout.extents[i][0]
                var imp = [Double](repeating: 0, count: units)
                for r in 0..<rowsNext { for u in 0..<units { imp[u] += Double(abs(next.value.data[r * colsNext + u])) } }
                let perm = order(imp, n: n)
                if perm == Array(0..<units) { continue }
                permuteRows(w, perm)
                if let b = byName[layer + ".bias"] { permuteRows(b, perm) }
                permuteCols(next, perm)
                applied.append((layer, perm))
            }
        } else {
            for j in 0..<blockCount {
                let pre = "blocks.\(j)"
                guard let expand = byName[pre + ".expand.weight"], let dw = byName[pre + ".dw.weight"],
                      let project = byName[pre + ".project.weight"], let ei = index[pre + ".expand.weight"] else { continue }
                let mid = expand.shape[0], outs = project.shape[0]
                let n = teacherLayout.extents[ei][0]
                var imp = [Double](repeating: 0, count: mid)
                for o in 0..<outs { for c in 0..<mid { imp[c] += Double(abs(project.value.data[o * mid + c])) } }
                let perm = order(imp, n: n)
                if perm == Array(0..<mid) { continue }
                permuteRows(expand, perm); permuteBN(pre + ".expand_bn", perm)
                permuteRows(dw, perm); permuteBN(pre + ".dw_bn", perm)
                permuteCols(project, perm)
                applied.append((pre, perm))
            }
        }
        return applied.map { (group: $0.0, permutation: $0.1) }
    }

    /// Permutes dimension 0 (rows) or 1 (columns) of `t` in place: new[i] = old[perm[i]].
    static func permute(_ t: Tensor, dim: Int, _ perm: [Int]) {
        let s = t.shape
        let d0 = s[0], d1 = s.count > 1 ? s[1] : 1
        let inner = s.count > 2 ? s[2...].reduce(1, *) : 1
        let old = t.array
        if dim == 0 {
            precondition(perm.count == d0, "permutation of \(perm.count) for \(d0) rows")
            let row = d1 * inner
            for i in 0..<d0 { for k in 0..<row { t.data[i * row + k] = old[perm[i] * row + k] } }
        } else {
            precondition(perm.count == d1, "permutation of \(perm.count) for \(d1) columns")
            for r in 0..<d0 {
                for i in 0..<d1 {
                    for k in 0..<inner { t.data[(r * d1 + i) * inner + k] = old[(r * d1 + perm[i]) * inner + k] }
                }
            }
        }
    }

    // MARK: - export

    /// The student as a plain network: every parameter's first-k slice and, for BatchNorm,
    /// the running statistics the student uses (PyTorch names `running_mean`/`running_var`).
    public func studentTensors() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        for (i, p) in parameters.enumerated() {
            let t = Tensor(shape: layout.extents[i])
            var k = 0
            for r in layout.runs[i] { for j in r { t.data[k] = p.value.data[j]; k += 1 } }
            out.append((p.name, t))
        }
        let index = Dictionary(parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        for bn in batchNorms {
            guard let i = index[bn.name + ".weight"] else { continue }
            let w = layout.extents[i][0]
            let s = bn.layer.runningStatistics(width: w)
            out.append((bn.name + ".running_mean", s.mean.copy()))
            out.append((bn.name + ".running_var", s.var.copy()))
        }
        return out.map { (name: $0.0, tensor: $0.1) }
    }
}
