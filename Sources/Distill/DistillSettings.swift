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

    /// How a setting is edited: one of a list of words, or a number in a range.
    public enum Kind: Sendable, Equatable {
        case choice([String])
        case number(min: Double, max: Double, minInclusive: Bool, logScale: Bool)
    }

    public struct Spec: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        /// The allowed values as text, e.g. "none, sym, asym, drop" or "(0, 20]".
        public let allowed: String
        public let help: String
    }

    public static let specs: [Spec] = [
        Spec(name: "surgery", kind: .choice(SurgeryMode.allCases.map(\.rawValue)),
             allowed: SurgeryMode.allCases.map(\.rawValue).joined(separator: ", "),
             help: "gradient surgery on the shared weights [R]: none, sym (PCGrad), asym (teacher projected), drop"),
        Spec(name: "granularity", kind: .choice(SurgeryGranularity.allCases.map(\.rawValue)),
             allowed: SurgeryGranularity.allCases.map(\.rawValue).joined(separator: ", "),
             help: "surgery on the whole shared vector or per tensor [R]"),
        Spec(name: "tau", kind: .number(min: -1, max: 1, minInclusive: true, logScale: false), allowed: "[-1, 1]",
             help: "conflict threshold: surgery acts when cos(g_s, g_t) < tau [R]"),
        Spec(name: "temperature", kind: .number(min: 0, max: 20, minInclusive: false, logScale: true), allowed: "(0, 20]",
             help: "distillation temperature T [R]"),
        Spec(name: "lambda", kind: .number(min: 0, max: 100, minInclusive: true, logScale: false), allowed: "[0, 100]",
             help: "weight λ of the distillation term (0 = off) [R]"),
        Spec(name: "uncertainty", kind: .choice(UncertaintyMode.allCases.map(\.rawValue)),
             allowed: UncertaintyMode.allCases.map(\.rawValue).joined(separator: ", "),
             help: "per-sample KD weights [R]: entropy, gate, ensemble, none"),
        Spec(name: "lr", kind: .number(min: 0, max: 10, minInclusive: false, logScale: true), allowed: "(0, 10]",
             help: "base learning rate (the cosine schedule scales it)"),
    ]

    public static var names: [String] { specs.map(\.name) }
    public static func spec(_ name: String) -> Spec? { specs.first { $0.name == name } }

    /// The current value as text.
    public func text(of name: String) -> String? {
        switch name {
        case "surgery": return surgery.rawValue
        case "granularity": return granularity.rawValue
        case "tau": return fmt(Float(tau))
        case "temperature": return fmt(temperature)
        case "lambda": return fmt(lambda)
        case "uncertainty": return uncertainty.rawValue
        case "lr": return fmt(lr)
        default: return nil
        }
    }

    /// Validates `text` for `name` and applies it; throws a one-line reason and changes
    /// nothing when the name or the value is not allowed.
    public mutating func set(_ name: String, _ text: String) throws {
        guard let spec = Self.spec(name) else {
            throw ConfigError("unknown setting '\(name)': one of \(Self.names.joined(separator: ", "))")
        }
        let t = text.trimmingCharacters(in: .whitespaces)
        switch spec.kind {
        case .choice(let options):
            guard options.contains(t.lowercased()) else { throw ConfigError("\(name): must be one of \(spec.allowed), got '\(text)'") }
            let v = t.lowercased()
            switch name {
            case "surgery": surgery = SurgeryMode(rawValue: v)!
            case "granularity": granularity = SurgeryGranularity(rawValue: v)!
            case "uncertainty": uncertainty = UncertaintyMode(rawValue: v)!
            default: break
            }
        case .number(let lo, let hi, let minInclusive, _):
            guard let v = Hyperparameters.parse(t), v.isFinite else { throw ConfigError("\(name): '\(text)' is not a number") }
            guard (minInclusive ? v >= lo : v > lo) && v <= hi else { throw ConfigError("\(name): must be in \(spec.allowed), got \(text)") }
            switch name {
            case "tau": tau = v
            case "temperature": temperature = Float(v)
            case "lambda": lambda = Float(v)
            case "lr": lr = Float(v)
            default: break
            }
        }
    }
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
