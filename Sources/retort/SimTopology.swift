import Accelerator
import ArgumentParser
import Foundation
import RetortCore
import RetortModels
import RunKit

extension TopologyForm: ExpressibleByArgument {}
extension DepthwiseChoice: ExpressibleByArgument {}
extension TransformerShape.Attention: ExpressibleByArgument {}

/// `retort sim topology`: the SCALE-Sim topology CSV of any Retort model.
struct SimTopology: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Write the SCALE-Sim topology CSV of a Retort model (a preset or a run folder), for `retort sim scalesim --topology` and SCALE-Sim itself.",
        discussion: """
        MODEL is a preset (\(SimModelSource.presetNames.joined(separator: ", "))) or a run folder of retort train, \
        retort distill (the student; --teacher for its widened teacher) or retort attention train.

        One image: the MLP and the CNN's classifier have M = 1; a ViT's rows have M = n tokens.

        Convolution form: IFMAP sizes are the padded input cut to what the filters read, (out − 1)·stride + kernel, \
        so SCALE-Sim's output size equals the model's. Linear layers and attention products are 1×1 convolutions \
        (IFMAP M×1, Channels K, Num Filter N). GEMM form: rows 'Layer, M, N, K,' (read with --gemm / SCALE-Sim -i gemm).

        Pooling, normalisation, activations and softmax carry no MACs and are not written.
        """)

    @Argument(help: "A preset name or a run folder.") var model: String
    @Option(help: "Convolution rows (SCALE-Sim -i conv) or GEMM rows (-i gemm).") var form: TopologyForm = .conv
    @Option(help: ArgumentHelp("How depthwise convolutions are written (SCALE-Sim has none): split (one layer per channel, exact), filters (Channels 1, Num Filter C), channels (Channels C, Num Filter 1, as SCALE-Sim's mobilenet.csv).")) var depthwise: DepthwiseChoice = .split
    @Option(help: "A ViT's attention products: softmax (QKᵀ, AV per head) or taylor (K̂ᵀV, Q·G per head). Default: the run's kind (taylor for every Taylor kind), else softmax.") var attention: TransformerShape.Attention?
    @Flag(help: "A distill run: write the teacher (the student widened by the run's teacher factors) instead of the student.") var teacher = false
    @Option(help: "Write the CSV to this file (default: standard output).") var out: String?

    func run() throws {
        let src = try SimModelSource.resolve(model, field: "MODEL")
        let kind = attention ?? src.runAttention.map { $0 == .softmax ? .softmax : .taylor } ?? .softmax
        var shape = src.shape(attention: kind)
        if teacher {
            guard let t = src.teacher else {
                throw ConfigError("--teacher: \(model) is not a distill run (only distill runs have a teacher)")
            }
            shape = t
        }
        let rows = ScaleSimTopologyWriter.rows(shape, form: form, depthwise: depthwise)
        try Self.checkLimits(rows, form: form)
        let text = ScaleSimTopologyWriter.csv(rows, form: form)
        guard let out else { print(text, terminator: ""); return }
        try AtomicFile.write(text, to: URL(fileURLWithPath: out))
        let layers = rows.reduce(0) { $0 + $1.layers.count }
        var what = "\(rows.count) rows"
        if layers != rows.count { what += ", \(layers) layers after the depthwise split" }
        let isViT: Bool
        if case .vit = src.architecture { isViT = true } else { isViT = false }
        print("wrote \(out): \(shape.name) from \(src.origin), \(form.rawValue) form, \(what), \(grouped(shape.macs)) MACs"
              + (isViT ? ", \(kind.rawValue) attention" : ""))
    }

    /// The written file must load: every field and lowered GEMM within `SizeLimits`.
    static func checkLimits(_ rows: [TopologyRow], form: TopologyForm) throws {
        let layers = rows.reduce(0) { $0 + $1.layers.count }
        guard layers <= SizeLimits.layers else {
            throw ConfigError("the topology would have \(layers) layers; SCALE-Sim topologies read by Retort have at most \(SizeLimits.layers) (try --depthwise filters)")
        }
        for r in rows {
            if let c = r.conv {
                let fields = [c.ifmapH, c.ifmapW, c.filterH, c.filterW, c.channels, c.filters, c.stride]
                if let v = fields.max(), v > SizeLimits.convField {
                    throw ConfigError("layer \(r.name): a convolution field \(SizeLimits.tooLarge(v, SizeLimits.convField))")
                }
            }
            for (_, g) in r.layers where max(g.m, g.k, g.n) > SizeLimits.gemmDimension {
                throw ConfigError("layer \(r.name): GEMM \(g) (M×K×N) has a dimension above \(SizeLimits.gemmDimension)")
            }
        }
    }
}
