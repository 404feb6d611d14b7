import ArgumentParser
import Attention
import Foundation
import RetortCore

extension ViTConfig: ExpressibleByArgument {
    public init?(argument: String) {
        guard let c = ViTConfig.preset(argument) else { return nil }
        self = c
    }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { presets.map(\.name) }
}

/// Operation-count tables (vitality §1.5) for any configuration, from the formulas and,
/// with --measure, from the kernels' own counters.
struct AttentionOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "MACs, exps, divisions, additions and storage of softmax vs Taylor attention for ViT configurations.")

    @Option(help: "ViT presets, comma-separated.") var configs: CommaList<ViTConfig> = CommaList(ViTConfig.presets)
    @Option(help: "A custom shape instead: tokens n.") var tokens: Int?
    @Option(help: "With --tokens: head dimension d.") var dim: Int = 64
    @Option(help: "With --tokens: heads H.") var heads: Int = 3
    @Flag(help: "Also run each kernel once with its counters on and print the counted values.") var measure = false

    func validate() throws {
        if let tokens, tokens < 1 { throw ValidationError("--tokens must be ≥ 1") }
        guard dim >= 1, heads >= 1 else { throw ValidationError("--dim and --heads must be ≥ 1") }
    }

    func run() throws {
        Threads.set(1)
        let shapes: [(String, Int, Int, Int, Int?)] = tokens.map { [("custom", $0, dim, heads, nil)] }
            ?? configs.values.map { ($0.name, $0.tokens, $0.headDim, $0.heads, $0.width) }
        print(AttentionReport.opTable(shapes.map { (name: $0.0, n: $0.1, d: $0.2, h: $0.3, width: $0.4) }))
        guard measure else { return }
        print("\ncounted by the kernels (one forward pass of one image, counters on):")
        for (name, n, d, h, _) in shapes {
            for kind in [AttentionKind.softmax, .taylor] {
                let core = AttentionCore(kind: kind, heads: h)
                core.countOps = true
                var rng = RNG(seed: 1)
                let x = Tensor(shape: [1, n, 3 * h * d]); x.fillNormal(std: 1, rng: &rng)
                _ = core.forward(x, training: false)
                let formula = OpFormulas.attention(kind, tokens: n, headDim: d, heads: h)!
                print("  \(name) \(kind.rawValue): \(core.lastOpCount) — \(core.lastOpCount == formula ? "equals the formula" : "DIFFERS from the formula \(formula)")")
                print("    scratch per head: \(core.lastMemory.perHeadWords) words, largest buffer \(core.lastMemory.largestBuffer)")
            }
        }
    }
}

/// Text tables shared by the attention commands.
enum AttentionReport {
    static func count(_ v: Int) -> String {
        if v >= 10_000_000 { return String(format: "%.2f M", Double(v) / 1e6) }
        if v >= 100_000 { return String(format: "%.1f k", Double(v) / 1e3) }
        return String(v)
    }

    /// The §1.5 table, one layer of one image, for each shape.
    static func opTable(_ shapes: [(name: String, n: Int, d: Int, h: Int, width: Int?)]) -> String {
        var lines = ["operation counts per image and layer (vitality §1.5; the kernels' counters give the same numbers)"]
        lines.append(columns([("config", 10), ("n", 4), ("d", 3), ("H", 3), ("kind", 8), ("MACs", 9), ("mults", 8), ("exps", 8),
                              ("divs", 8), ("adds", 8), ("cmps", 8), ("storage", 8), ("", 1), ("ratio", 6)]))
        for s in shapes {
            let soft = OpFormulas.softmax(tokens: s.n, headDim: s.d, heads: s.h), tay = OpFormulas.taylor(tokens: s.n, headDim: s.d, heads: s.h)
            for (kind, c) in [("softmax", soft), ("taylor", tay)] {
                lines.append(columns([(kind == "softmax" ? s.name : "", 10), (kind == "softmax" ? "\(s.n)" : "", 4), (kind == "softmax" ? "\(s.d)" : "", 3),
                                      (kind == "softmax" ? "\(s.h)" : "", 3), (kind, 8), (count(c.macs), 9), (count(c.multiplications), 8),
                                      (count(c.exps), 8), (count(c.divisions), 8), (count(c.additions), 8), (count(c.compares), 8),
                                      (count(c.storageWords), 8)]))
            }
            var ratios = String(format: "  ratios softmax/Taylor: MACs %.2f×, divisions %.2f×, storage %.1f×", Double(soft.macs) / Double(tay.macs),
                                Double(soft.divisions) / Double(tay.divisions), Double(soft.storageWords) / Double(tay.storageWords))
            if let w = s.width {
                let lin = OpFormulas.linearMACs(tokens: s.n, width: w)
                ratios += String(format: "; linear layers %@ MACs → whole layer %.2f×", count(lin), Double(soft.macs + lin) / Double(tay.macs + lin))
            }
            lines.append(ratios)
        }
        return lines.joined(separator: "\n")
    }
}
