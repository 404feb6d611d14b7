import RunKit

/// The hyperparameters that may change while a run trains, with their allowed ranges.
/// Values are parsed from text ("3e-4", "0.0003", "1/3000") and validated; a bad value
/// throws a one-line message and changes nothing.
public struct Hyperparameters: Codable, Sendable, Equatable {
    public var lr: Float
    public var momentum: Float
    public var weightDecay: Float
    public var batchSize: Int
    public var labelSmoothing: Float
    public var warmupEpochs: Float

    public init(_ c: TrainConfig) {
        lr = c.lr; momentum = c.momentum; weightDecay = c.weightDecay; batchSize = c.batchSize
        labelSmoothing = c.labelSmoothing; warmupEpochs = c.warmupEpochs
    }

    enum CodingKeys: String, CodingKey {
        case lr, momentum, weightDecay = "weight_decay", batchSize = "batch_size", labelSmoothing = "label_smoothing", warmupEpochs = "warmup_epochs"
    }

    public struct Spec: Sendable {
        public let name: String
        public let range: String
        public let help: String
        public let logScale: Bool
        public let integer: Bool
        let check: @Sendable (Double) -> Bool
    }

    public static let specs: [Spec] = [
        Spec(name: "lr", range: "(0, 10]", help: "base learning rate (the cosine schedule scales it)", logScale: true, integer: false) { $0 > 0 && $0 <= 10 },
        Spec(name: "momentum", range: "[0, 1)", help: "SGD momentum", logScale: false, integer: false) { $0 >= 0 && $0 < 1 },
        Spec(name: "weight_decay", range: "[0, 1]", help: "weight decay (not on biases and norm parameters)", logScale: true, integer: false) { $0 >= 0 && $0 <= 1 },
        Spec(name: "batch_size", range: "1…4096", help: "mini-batch size, from the next step", logScale: true, integer: true) { $0 >= 1 && $0 <= 4096 },
        Spec(name: "label_smoothing", range: "[0, 1)", help: "label smoothing ε of the cross-entropy", logScale: false, integer: false) { $0 >= 0 && $0 < 1 },
        Spec(name: "warmup_epochs", range: "≥ 0", help: "linear warm-up length in epochs", logScale: false, integer: false) { $0 >= 0 && $0 <= 1000 },
    ]

    public static func spec(_ name: String) -> Spec? { specs.first { $0.name == name } }

    public func value(of name: String) -> Double? {
        switch name {
        case "lr": return Double(lr)
        case "momentum": return Double(momentum)
        case "weight_decay": return Double(weightDecay)
        case "batch_size": return Double(batchSize)
        case "label_smoothing": return Double(labelSmoothing)
        case "warmup_epochs": return Double(warmupEpochs)
        default: return nil
        }
    }

    /// Parses "3e-4", "0.0003" or "1/3000".
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let slash = t.firstIndex(of: "/") {
            guard let a = Double(t[..<slash]), let b = Double(t[t.index(after: slash)...]), b != 0 else { return nil }
            return a / b
        }
        return Double(t)
    }

    public mutating func set(_ name: String, _ text: String) throws {
        guard let spec = Self.spec(name) else {
            throw ConfigError("unknown hyperparameter '\(name)': one of \(Self.specs.map(\.name).joined(separator: ", "))")
        }
        guard let v = Self.parse(text), v.isFinite else { throw ConfigError("\(name): '\(text)' is not a number") }
        if spec.integer && v != v.rounded() { throw ConfigError("\(name): must be a whole number, got \(text)") }
        guard spec.check(v) else { throw ConfigError("\(name): must be in \(spec.range), got \(text)") }
        switch name {
        case "lr": lr = Float(v)
        case "momentum": momentum = Float(v)
        case "weight_decay": weightDecay = Float(v)
        case "batch_size": batchSize = Int(v)
        case "label_smoothing": labelSmoothing = Float(v)
        case "warmup_epochs": warmupEpochs = Float(v)
        default: break
        }
    }
}

import Foundation
import RunKit
