import Foundation
import RunKit
import Sweep

/// Commands for the tests: fixed option names, and a validator that refuses lr > 1 the way
/// a config's range check does (`path:line: lr: …`).
enum TestCommands {
    static let train = SweepCommand(
        name: "train", keys: ["epochs", "lr", "model", "data", "method", "seed", "threads", "batch-size"],
        options: .configFile(validate: { bytes, path in
            let text = String(decoding: bytes, as: UTF8.self)
            for (i, line) in text.split(separator: "\n").enumerated() where line.hasPrefix("lr: ") {
                let v = Double(line.dropFirst(4).filter { $0 != "\"" }) ?? .nan
                if !(v > 0 && v <= 1) { throw ConfigError("\(path):\(i + 1): lr: must be in (0, 1], got \(v)") }
            }
        }),
        layout: .named, seedFlag: "--seed", threads: true, extra: ["--plain"], resumable: true)
    static let sim = SweepCommand(name: "sim vitality", keys: ["dim", "heads", "linear"], options: .flags(booleans: ["linear"]),
                                  layout: .report, seedFlag: nil, threads: false, extra: [], resumable: false)
    static let all = [train, sim]

    static func parse(_ text: String, path: String = "s.yaml") throws -> Study {
        try StudyParser.parse(bytes: Array(text.utf8), path: path, commands: all)
    }

    static func error(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }
}
