import Foundation
import RunKit
import TrainEngine

/// The settings of a NetDistiller run that may change while it trains.
public struct DistillSettings: Sendable, Equatable, Codable {
    public var surgery: SurgeryMode
    public var granularity: SurgeryGranularity
    public var tau: Double
    public var temperature: Float
    public var lambda: Float
    public var uncertainty: UncertaintyMode
    public var lr: Float

    public init(_ c: DistillConfig) {
        surgery = c.surgery; granularity = c.granularity; tau = c.tau; temperature = c.temperature
        lambda = c.lambda; uncertainty = c.uncertainty; lr = c.lr
    }

    /// The live settings (`:set`, `--set-at`, the Distill tab's panel).
    public static let settings = LiveSettings<DistillSettings>([
        .choice("surgery", SurgeryMode.self,
                help: "gradient surgery on the shared weights [R]: none, sym (PCGrad), asym (teacher projected), drop",
                get: { $0.surgery }, set: { $0.surgery = $1 }),
        .choice("granularity", SurgeryGranularity.self, help: "surgery on the whole shared vector or per tensor [R]",
                get: { $0.granularity }, set: { $0.granularity = $1 }),
        .number("tau", .number(min: -1, max: 1, logScale: false), help: "conflict threshold: surgery acts when cos(g_s, g_t) < tau [R]",
                get: { $0.tau }, set: { $0.tau = $1 }),
        .number("temperature", .number(min: 0, max: 20, minInclusive: false, logScale: true), help: "distillation temperature T [R]",
                get: { Double($0.temperature) }, set: { $0.temperature = Float($1) }),
        .number("lambda", .number(min: 0, max: 100, logScale: false), help: "weight λ of the distillation term (0 = off) [R]",
                get: { Double($0.lambda) }, set: { $0.lambda = Float($1) }),
        .choice("uncertainty", UncertaintyMode.self, help: "per-sample KD weights [R]: calibrated (held-out temperature), entropy, gate, ensemble, none",
                get: { $0.uncertainty }, set: { $0.uncertainty = $1 }),
        Hyperparameters.learningRate(get: { $0.lr }, set: { $0.lr = $1 }),
    ])

    public static var names: [String] { settings.names }

    /// The current value as text.
    public func text(of name: String) -> String? { Self.settings.value(name, of: self)?.description }

    /// Validates `text` for `name` and applies it; throws a one-line reason and changes
    /// nothing when the name or the value is not allowed.
    public mutating func set(_ name: String, _ text: String) throws { try Self.settings.apply(name, text, to: &self) }
}

/// A live-setting change planned for a step (`retort distill --set-at STEP:name=value`):
/// applied between steps when the job reaches `step`, i.e. it takes effect from step
/// `step + 1`. Kept in checkpoints, so a resumed run still applies the ones it had not reached.
public struct ScheduledSetting: Sendable, Equatable, Codable {
    public let step: Int
    public let name: String
    public let value: String
    public init(step: Int, name: String, value: String) { self.step = step; self.name = name; self.value = value }
}
