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

    /// The base learning rate, in (0, 10], as a live setting of any engine (the engines'
    /// option checks use its range too, through `outOfRange`).
    public static func learningRate<T>(help: String = "base learning rate (the cosine schedule scales it)",
                                       get: @escaping @Sendable (T) -> Float, set: @escaping @Sendable (inout T, Float) -> Void) -> LiveSetting<T> {
        .number("lr", .number(min: 0, max: 10, minInclusive: false, logScale: true), help: help, get: { Double(get($0)) }, set: { set(&$0, Float($1)) })
    }

    public static let settings = LiveSettings<Hyperparameters>(noun: "hyperparameter", [
        learningRate(get: { $0.lr }, set: { $0.lr = $1 }),
        .number("momentum", .number(min: 0, max: 1, maxInclusive: false, logScale: false), help: "SGD momentum",
                get: { Double($0.momentum) }, set: { $0.momentum = Float($1) }),
        .number("weight_decay", .number(min: 0, max: 1, logScale: true), help: "weight decay (not on biases and norm parameters)",
                get: { Double($0.weightDecay) }, set: { $0.weightDecay = Float($1) }),
        .number("batch_size", .number(min: 1, max: 4096, integer: true, logScale: true), help: "mini-batch size, from the next step",
                get: { Double($0.batchSize) }, set: { $0.batchSize = Int($1) }),
        .number("label_smoothing", .number(min: 0, max: 1, maxInclusive: false, logScale: false), help: "label smoothing ε of the cross-entropy",
                get: { Double($0.labelSmoothing) }, set: { $0.labelSmoothing = Float($1) }),
        .number("warmup_epochs", .number(min: 0, max: 1000, logScale: false), help: "linear warm-up length in epochs",
                get: { Double($0.warmupEpochs) }, set: { $0.warmupEpochs = Float($1) }),
    ])

    /// For the engines' option checks, which share these ranges: nil when `value` is allowed
    /// for the setting `name`, else what is ("in (0, 10]").
    public static func outOfRange(_ name: String, _ value: Float) -> String? {
        guard let s = settings[name], !s.kind.admits(Double(value)) else { return nil }
        return "in " + s.allowed
    }

    /// The value of the setting `name` (nil for an unknown name).
    public func value(of name: String) -> Double? { Self.settings.value(name, of: self)?.number }

    /// Checks `text` for the setting `name` and applies it; throws a one-line reason and
    /// changes nothing when it is refused.
    public mutating func set(_ name: String, _ text: String) throws { try Self.settings.apply(name, text, to: &self) }
}
