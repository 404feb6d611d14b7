import RetortModels

/// Which SCALE-Sim topology a model is written as.
public enum TopologyForm: String, CaseIterable, Sendable {
    /// Convolution rows (`-i conv`): convolutions as they are, linear layers and attention
    /// products as 1×1 convolutions (IFMAP M×1, Channels K, Num Filter N).
    case conv
    /// GEMM rows (`-i gemm`): `Layer, M, N, K,`; a convolution as its im2col GEMM.
    case gemm
}

/// How a depthwise convolution is written; SCALE-Sim has no depthwise layer of its own.
public enum DepthwiseChoice: String, CaseIterable, Sendable {
    /// Exact per-channel work: one GEMM out²×k²×1 per channel. Convolution form: one row named
    /// `<name>_DP` with Channels = C and Num Filter = 1, which SCALE-Sim (and Retort) split into C
    /// one-channel layers `<name>_DPChannel_<i>`; GEMM form: C rows `<name>.c<i>`.
    case split
    /// All channels in one pass: Channels = 1, Num Filter = C (GEMM out²×k²×C), each filter on
    /// its own channel's window; the same MACs, the channels side by side on the array columns.
    case filters
    /// SCALE-Sim's own `mobilenet.csv` convention: Channels = C, Num Filter = 1 (GEMM
    /// out²×k²C×1); the same MACs, but one array column and a C-times-longer reduction.
    case channels
}

/// One line of a written topology: the name and either the convolution fields or the GEMM.
public struct TopologyRow: Sendable, Hashable {
    public var name: String
    public var conv: TopologyLayer.Conv?
    /// The GEMM of a GEMM row (for a convolution row: of one layer it makes, see `layers`).
    public var gemm: GemmShape

    /// The layers SCALE-Sim makes of this line, with their GEMMs: one, or for a convolution
    /// row whose name contains "DP" one single-channel layer per channel, `<name>Channel_<i>`.
    public var layers: [(name: String, gemm: GemmShape)] {
        guard let c = conv, name.contains("DP") else { return [(name, gemm)] }
        return (0..<c.channels).map { (name + "Channel_\($0)", GemmShape(m: c.ofmapH * c.ofmapW, k: c.filterH * c.filterW, n: c.filters)) }
    }
}

/// Writes any Retort model (`LayerShapes`) as a SCALE-Sim topology CSV that both
/// `retort sim scalesim --topology` and SCALE-Sim read (header line, trailing commas).
/// Convolutions have no padding field in SCALE-Sim, so the IFMAP is the padded input cut to
/// the rows and columns the filters read, (out − 1)·stride + kernel: SCALE-Sim's output size
/// ⌈(H − k + s)/s⌉ then equals the model's ⌊(H + 2p − k)/s⌋ + 1 and the MACs are the model's.
/// Pooling, normalisation and activations carry no MACs and are not written.
public enum ScaleSimTopologyWriter {
    public static let convHeader = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
    public static let gemmHeader = "Layer, M, N, K,"

    public static func rows(_ model: LayerShapes, form: TopologyForm, depthwise: DepthwiseChoice = .split) -> [TopologyRow] {
        var out: [TopologyRow] = []
        func convRow(_ name: String, h: Int, w: Int, k: Int, c: Int, f: Int, s: Int) -> TopologyRow {
            let cv = TopologyLayer.Conv(ifmapH: h, ifmapW: w, filterH: k, filterW: k, channels: c, filters: f, stride: s)
            return TopologyRow(name: name, conv: cv, gemm: GemmShape(m: cv.ofmapH * cv.ofmapW, k: k * k * c, n: f))
        }
        func gemmRow(_ name: String, m: Int, k: Int, n: Int) -> TopologyRow { TopologyRow(name: name, conv: nil, gemm: GemmShape(m: m, k: k, n: n)) }
        for layer in model.layers {
            switch layer {
            case .matmul(let mm):
                out.append(form == .conv ? convRow(mm.name, h: mm.m, w: 1, k: 1, c: mm.k, f: mm.n, s: 1)
                                         : gemmRow(mm.name, m: mm.m, k: mm.k, n: mm.n))
            case .conv(let c):
                let h = c.readHeight, w = c.readWidth, k = c.kernel, s = c.stride, px = c.outputHeight * c.outputWidth
                if c.isDepthwise {
                    let C = c.inChannels
                    switch (depthwise, form) {
                    case (.split, .conv):
                        var r = convRow(c.name + "_DP", h: h, w: w, k: k, c: C, f: 1, s: s)
                        r.gemm = GemmShape(m: px, k: k * k, n: 1)
                        out.append(r)
                    case (.split, .gemm): for i in 0..<C { out.append(gemmRow(c.name + ".c\(i)", m: px, k: k * k, n: 1)) }
                    case (.filters, .conv): out.append(convRow(c.name, h: h, w: w, k: k, c: 1, f: C, s: s))
                    case (.filters, .gemm): out.append(gemmRow(c.name, m: px, k: k * k, n: C))
                    case (.channels, .conv): out.append(convRow(c.name, h: h, w: w, k: k, c: C, f: 1, s: s))
                    case (.channels, .gemm): out.append(gemmRow(c.name, m: px, k: k * k * C, n: 1))
                    }
                } else {
                    // a grouped convolution: one layer per group
                    let cin = c.inChannels / c.groups, cout = c.outChannels / c.groups
                    for g in 0..<c.groups {
                        let name = c.groups == 1 ? c.name : c.name + ".g\(g)"
                        out.append(form == .conv ? convRow(name, h: h, w: w, k: k, c: cin, f: cout, s: s)
                                                 : gemmRow(name, m: px, k: k * k * cin, n: cout))
                    }
                }
            }
        }
        return out
    }

    /// The CSV text.
    public static func csv(_ rows: [TopologyRow], form: TopologyForm) -> String {
        var lines = [form == .conv ? convHeader : gemmHeader]
        for r in rows {
            if let c = r.conv {
                lines.append("\(r.name), \(c.ifmapH), \(c.ifmapW), \(c.filterH), \(c.filterW), \(c.channels), \(c.filters), \(c.stride),")
            } else {
                // SCALE-Sim order: M, N, K
                lines.append("\(r.name), \(r.gemm.m), \(r.gemm.n), \(r.gemm.k),")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
