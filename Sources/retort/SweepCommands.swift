import Attention
import Distill
import Foundation
import RunKit
import Sweep
import TrainEngine

/// The commands a study may run, described to the sweep engine: the option names and the
/// `--config` reader of each engine's config (so a study is checked exactly as `--config` is),
/// and the flags of `sim vitality` and `sim scalesim`.
enum SweepCommands {
    static var all: [Sweep.SweepCommand] {
        [
            Sweep.SweepCommand(name: "train", keys: ConfigFile.keys(TrainConfig.self), options: .configFile(validate: validator(TrainConfig.self) { try $0.validate() }),
                               layout: .named, seedFlag: "--seed", threads: true, extra: ["--plain"], resumable: true),
            Sweep.SweepCommand(name: "distill", keys: ConfigFile.keys(DistillConfig.self), options: .configFile(validate: validator(DistillConfig.self) { try $0.validate() }),
                               layout: .named, seedFlag: "--seed", threads: true, extra: ["--plain"], resumable: true),
            Sweep.SweepCommand(name: "attention train", keys: ConfigFile.keys(AttentionTrainConfig.self),
                               options: .configFile(validate: validator(AttentionTrainConfig.self) { try $0.validate() }),
                               layout: .rootPerPoint, seedFlag: "--seeds", threads: true, extra: [], resumable: true),
            // `retort sim vitality`'s options (SimVitality, ViTShapeOptions); the report is parsed by collect
            Sweep.SweepCommand(name: "sim vitality",
                               keys: ["model", "tokens", "image", "patch", "channels", "dim", "heads", "depth", "mlp-ratio", "config", "attention", "centring", "ksum", "linear", "layers"],
                               options: .flags(booleans: ["linear"]), layout: .report, seedFlag: nil, threads: false, extra: [], resumable: false),
            // `retort sim scalesim`'s flags (SimScaleSim) but --out, which the sweep sets to the point's run folder
            Sweep.SweepCommand(name: "sim scalesim", keys: ["config", "topology", "gemm", "simulate"],
                               options: .flags(booleans: ["gemm", "simulate"]), layout: .reportOut, seedFlag: nil, threads: false, extra: [], resumable: false),
        ]
    }

    /// Reads a point's options as `--config` reads them, then the config's own range checks
    /// (an error names the file's line of the key).
    static func validator<C: FileConfigurable & Sendable>(_: C.Type, _ check: @escaping @Sendable (C) throws -> Void) -> @Sendable ([UInt8], String) throws -> Void {
        { bytes, path in
            let c = try ConfigFile.parse(C.self, bytes: bytes, path: path)
            do { try check(c.config) } catch { throw ConfigError(c.locate("\(error)")) }
        }
    }

    /// The `retort` executable running now (children run the same binary).
    static var executable: String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if FileManager.default.isExecutableFile(atPath: me) { return me }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The last non-empty line of a child's log, whole (the manifest keeps 300 characters).
    static func lastLine(ofLog log: URL) -> String? {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return nil }
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
    }

    /// The study file read (a bad file ends the program with one line, exit 2).
    static func study(_ path: String) -> Study {
        do { return try StudyParser.read(path: path, commands: all) } catch { fail("\(error)") }
    }
}
