/// What a v2-era SCALE-Sim `.cfg` (scale-sim-v2's `configs/*.cfg`, PyPI `scalesim` 2.x) lacks
/// that SCALE-Sim 3.0.0 reads unconditionally, and the value Retort assumes for each: the
/// defaults of 3.0.0's own `scale_config` class. None of them changes CALC-mode cycles.
public enum V2Defaults {
    /// Key (or section) → the value assumed, as printed.
    public static let values: [(key: String, value: String)] = [
        ("ReadRequestBuffer", "60"),
        ("WriteRequestBuffer", "60"),
        ("[layout]", "no custom layouts, 10 banks × 2 ports of bandwidth 10"),
        ("[sparsity]", "SparsitySupport false"),
        ("UseRamulatorTrace", "False"),
    ]

    /// `[architecture_presets]` keys of v2 files that 3.0.0 no longer reads (ignored).
    public static let v2OnlyKeys = ["MemoryBanks"]

    public static func value(_ key: String) -> String { values.first { $0.key == key }?.value ?? "" }

    /// The one line printed for a v2-era file.
    public static func note(defaulted: [String], ignored: [String]) -> String {
        var s = "v2-era config"
        if !defaulted.isEmpty {
            s += ": defaulted " + defaulted.map { "\($0) (\(value($0)))" }.joined(separator: ", ")
        }
        if !ignored.isEmpty { s += (defaulted.isEmpty ? ": " : "; ") + "ignored " + ignored.joined(separator: ", ") + " (not read by SCALE-Sim 3.0.0)" }
        return s
    }
}
