/// One setting of a running job, defined once: its name, kind (range or words), help, and
/// how to read it from and write it into the `Target` (a job's settings value or the job).
/// The job's `set`, the validators and the UI's panel rows all come from this definition.
public struct LiveSetting<Target>: Sendable {
    public let name: String
    public let kind: SettingKind
    /// The allowed values as text (the kind's, unless a definition words it otherwise).
    public let allowed: String
    public let help: String
    public let get: @Sendable (Target) -> SettingValue
    /// Writes an already checked value.
    public let set: @Sendable (inout Target, SettingValue) throws -> Void

    public init(_ name: String, kind: SettingKind, allowed: String? = nil, help: String,
                get: @escaping @Sendable (Target) -> SettingValue, set: @escaping @Sendable (inout Target, SettingValue) throws -> Void) {
        self.name = name; self.kind = kind; self.allowed = allowed ?? kind.allowed; self.help = help
        self.get = get; self.set = set
    }

    /// A number setting read and written as a `Double`.
    public static func number(_ name: String, _ kind: SettingKind, help: String,
                              get: @escaping @Sendable (Target) -> Double,
                              set: @escaping @Sendable (inout Target, Double) -> Void) -> LiveSetting {
        LiveSetting(name, kind: kind, help: help, get: { .number(get($0)) }, set: { t, v in set(&t, v.number!) })
    }

    /// A choice among the raw values of `E`.
    public static func choice<E: RawRepresentable & CaseIterable & Sendable>(_ name: String, _: E.Type, help: String,
                                                                  get: @escaping @Sendable (Target) -> E,
                                                                  set: @escaping @Sendable (inout Target, E) -> Void) -> LiveSetting
        where E.RawValue == String {
        LiveSetting(name, kind: .choice(E.allCases.map(\.rawValue)), help: help,
                    get: { .word(get($0).rawValue) }, set: { t, v in set(&t, E(rawValue: v.word!)!) })
    }

    /// A choice among `words`.
    public static func words(_ name: String, _ words: [String], help: String,
                             get: @escaping @Sendable (Target) -> String,
                             set: @escaping @Sendable (inout Target, String) -> Void) -> LiveSetting {
        LiveSetting(name, kind: .choice(words), help: help, get: { .word(get($0)) }, set: { t, v in set(&t, v.word!) })
    }

    /// Parses and checks `text`; throws a one-line reason.
    public func parse(_ text: String) throws(SettingError) -> SettingValue { try kind.parse(text, name: name, allowed: allowed) }

    /// The same setting on a value that holds a `Target` (e.g. a job holding its hyperparameters).
    public func lifted<Outer>(get outer: @escaping @Sendable (Outer) -> Target,
                              set put: @escaping @Sendable (inout Outer, Target) -> Void) -> LiveSetting<Outer> {
        let get = self.get, set = self.set
        return LiveSetting<Outer>(name, kind: kind, allowed: allowed, help: help, get: { get(outer($0)) },
                                  set: { o, v in var t = outer(o); try set(&t, v); put(&o, t) })
    }

    /// The setting as the UI shows it, with its value in `target`.
    public func row(of target: Target) -> SettingRow {
        let v = get(target)
        return SettingRow(name: name, value: v.description, numericValue: v.number, kind: kind, allowed: allowed, help: help)
    }
}
