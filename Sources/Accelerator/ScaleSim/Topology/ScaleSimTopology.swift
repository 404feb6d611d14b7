import Foundation
import RetortCore

/// One layer of a SCALE-Sim topology, already lowered to the GEMM SCALE-Sim runs.
public struct TopologyLayer: Sendable, Hashable {
    public struct Conv: Sendable, Hashable {
        public var ifmapH: Int, ifmapW: Int, filterH: Int, filterW: Int, channels: Int, filters: Int, stride: Int
        public var ofmapH: Int { (ifmapH - filterH + stride + stride - 1) / stride }
        public var ofmapW: Int { (ifmapW - filterW + stride + stride - 1) / stride }
    }
    public var name: String
    /// Line in the topology file (1-based).
    public var line: Int
    /// Set for convolution rows (depthwise rows are split into one layer per channel).
    public var conv: Conv?
    /// The GEMM: conv → M = out_h·out_w, K = Fh·Fw·Cin, N = #filters.
    public var gemm: GemmShape
    /// Optional `N:M` sparsity field (read and validated; sparsity is not simulated).
    public var sparsity: String?
}

/// SCALE-Sim topology CSVs (spec scalesim §6.2), read through `TextLines` (a byte-order
/// mark, CRLF line ends and trailing blanks are accepted): the first line is a header; every row ends
/// with a trailing comma (SCALE-Sim drops the last comma-separated field, so a row without
/// one is rejected here instead of being silently truncated).
/// - GEMM (`--gemm`, SCALE-Sim `-i gemm`): `Layer, M, N, K, [N:M],` — note the order M, N, K.
/// - Convolution: `Layer, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, Strides, [N:M],`.
///   A layer whose name contains "DP" is split into one depthwise layer per channel, named
///   `<name>Channel_<i>`, each with 1 channel (as SCALE-Sim does).
/// Sizes are bounded by `SizeLimits` (GEMM dimensions, convolution fields, layers).
public enum ScaleSimTopology {
    public static func load(path: String, gemm: Bool) throws -> [TopologyLayer] {
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw InputFileError(file: path, line: nil, field: nil, e.message)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, gemm: gemm)
    }

    static let gemmFields = ["Layer", "M", "N", "K"]
    static let convFields = ["Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                             "Channels", "Num Filter", "Strides"]

    public static func parse(_ text: String, file: String, gemm: Bool) throws -> [TopologyLayer] {
        var layers: [TopologyLayer] = []
        let names = gemm ? gemmFields : convFields
        for line in TextLines.split(text) where line.number > 1 {
            let lineNo = line.number
            let row = line.text.trimmingCharacters(in: .whitespaces)
            if row.isEmpty { continue }
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 2, fields.last!.isEmpty else {
                throw InputFileError(file: file, line: lineNo, field: nil,
                                     "row must end with a trailing comma (SCALE-Sim drops the last field): '\(row)'")
            }
            fields.removeLast()
            guard fields.count >= names.count else {
                throw InputFileError(file: file, line: lineNo, field: names[fields.count],
                                     "missing (expected \(names.count) fields: \(names.joined(separator: ", ")))")
            }
            guard fields.count <= names.count + 1 else {
                throw InputFileError(file: file, line: lineNo, field: nil,
                                     "\(fields.count) fields; expected \(names.count) (+ optional N:M sparsity)")
            }
            let name = fields[0]
            guard !name.isEmpty else { throw InputFileError(file: file, line: lineNo, field: names[0], "empty layer name") }
            var ints: [Int] = []
            for i in 1..<names.count {
                guard let v = Int(fields[i]) else {
                    throw InputFileError(file: file, line: lineNo, field: names[i], "'\(fields[i])' is not an integer")
                }
                guard v > 0 else { throw InputFileError(file: file, line: lineNo, field: names[i], "must be positive, got \(v)") }
                let limit = gemm ? SizeLimits.gemmDimension : SizeLimits.convField
                guard v <= limit else { throw InputFileError(file: file, line: lineNo, field: names[i], SizeLimits.tooLarge(v, limit)) }
                ints.append(v)
            }
            var sparsity: String? = nil
            if fields.count == names.count + 1 {
                let s = fields[names.count]
                let p = s.split(separator: ":").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard p.count == 2, let n = p[0], let m = p[1], n > 0, m > 0, n <= m else {
                    throw InputFileError(file: file, line: lineNo, field: "N:M sparsity", "'\(s)' is not N:M with 0 < N ≤ M")
                }
                sparsity = s
            }
            if gemm {
                guard layers.count < SizeLimits.layers else {
                    throw InputFileError(file: file, line: lineNo, field: nil, "the topology has more than \(SizeLimits.layers) layers, the most Retort simulates")
                }
                // SCALE-Sim order: M, N, K
                layers.append(TopologyLayer(name: name, line: lineNo, conv: nil,
                                            gemm: GemmShape(m: ints[0], k: ints[2], n: ints[1]), sparsity: sparsity))
                continue
            }
            var conv = TopologyLayer.Conv(ifmapH: ints[0], ifmapW: ints[1], filterH: ints[2], filterW: ints[3],
                                          channels: ints[4], filters: ints[5], stride: ints[6])
            guard conv.filterH <= conv.ifmapH else {
                throw InputFileError(file: file, line: lineNo, field: names[3], "filter height \(conv.filterH) > IFMAP height \(conv.ifmapH)")
            }
            guard conv.filterW <= conv.ifmapW else {
                throw InputFileError(file: file, line: lineNo, field: names[4], "filter width \(conv.filterW) > IFMAP width \(conv.ifmapW)")
            }
            // the lowered GEMM obeys the GEMM limit (named by the fields that make it up)
            let isDepthwise = name.contains("DP")
            let lowered = [("M = out_h·out_w", "IFMAP Height", conv.ofmapH * conv.ofmapW),
                           ("K = Fh·Fw·C", "Filter Height", conv.filterH * conv.filterW * (isDepthwise ? 1 : conv.channels))]
            for (what, field, v) in lowered where v > SizeLimits.gemmDimension {
                throw InputFileError(file: file, line: lineNo, field: field,
                                     "the layer's GEMM \(what) = \(v) must be at most \(SizeLimits.gemmDimension)")
            }
            let adds = isDepthwise ? conv.channels : 1
            guard layers.count + adds <= SizeLimits.layers else {
                throw InputFileError(file: file, line: lineNo, field: isDepthwise ? names[5] : nil,
                                     "the topology has more than \(SizeLimits.layers) layers (depthwise rows count one per channel), the most Retort simulates")
            }
            func lower(_ c: TopologyLayer.Conv, _ n: String) -> TopologyLayer {
                TopologyLayer(name: n, line: lineNo, conv: c,
                              gemm: GemmShape(m: c.ofmapH * c.ofmapW, k: c.filterH * c.filterW * c.channels, n: c.filters),
                              sparsity: sparsity)
            }
            if isDepthwise {
                let ch = conv.channels
                conv.channels = 1
                for i in 0..<ch { layers.append(lower(conv, name + "Channel_" + String(i))) }
            } else {
                layers.append(lower(conv, name))
            }
        }
        guard !layers.isEmpty else { throw InputFileError(file: file, line: nil, field: nil, "no layers (the first line is the header)") }
        return layers
    }
}
