/// An engine's list of live settings: the one place its names, ranges and help are written.
public struct LiveSettings<Target>: Sendable {
    /// What the refusal of an unknown name calls a setting ("hyperparameter", "setting").
    public let noun: String
    public let all: [LiveSetting<Target>]

    public init(noun: String = "setting", _ all: [LiveSetting<Target>]) { self.noun = noun; self.all = all }

    public var names: [String] { all.map(\.name) }
    public subscript(name: String) -> LiveSetting<Target>? { all.first { $0.name == name } }

    /// The setting called `name`; throws "unknown setting 'x': one of …" otherwise.
    public func setting(_ name: String) throws(SettingError) -> LiveSetting<Target> {
        guard let s = self[name] else { throw SettingError("unknown \(noun) '\(name)': one of \(names.joined(separator: ", "))") }
        return s
    }

    /// Parses and checks `text` for `name`.
    public func parse(_ name: String, _ text: String) throws(SettingError) -> SettingValue { try setting(name).parse(text) }

    /// nil when `text` is allowed for `name`, else the one-line reason.
    public func validate(_ name: String, _ text: String) -> String? {
        do { _ = try parse(name, text); return nil } catch { return error.description }
    }

    /// Checks `text` and writes it into `target`; nothing changes when it is refused.
    /// Returns the value before and after.
    @discardableResult
    public func apply(_ name: String, _ text: String, to target: inout Target) throws -> (from: SettingValue, to: SettingValue) {
        let s = try setting(name)
        let v = try s.parse(text)
        let old = s.get(target)
        try s.set(&target, v)
        return (old, s.get(target))
    }

    /// The value of `name` in `target` (nil for an unknown name).
    public func value(_ name: String, of target: Target) -> SettingValue? { self[name]?.get(target) }

    /// Every setting as the UI shows it.
    public func rows(of target: Target) -> [SettingRow] { all.map { $0.row(of: target) } }
}
