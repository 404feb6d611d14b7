/// A config struct that `ConfigFile` reads (`--config FILE`). It is `Codable` with the
/// synthesized coding keys (its property names, the keys of a run's `config.json`), so the
/// reader learns every key and its type from `fileTemplate` and decodes the file with them.
public protocol FileConfigurable: Codable {
    init()
    /// A value with every optional property set and every list non-empty: the reader reads
    /// the keys and their types off it (its values are not used).
    static var fileTemplate: Self { get }
    /// Other names of keys, e.g. a command's flag name where it differs from the property
    /// ("shift" → "shiftAugment"), mapped to a property path ("sparse-threshold" → "sparse.threshold").
    static var fileAliases: [String: String] { get }
    /// Keys a file may hold (a run's `config.json` does) whose values are not taken from it.
    static var fileIgnoredKeys: Set<String> { get }
    /// The value a file's keys are applied over, given the file's top-level scalar values by
    /// property name (default `init()`; a preset key such as Distill's `method` picks its preset).
    static func fileBase(_ scalars: [String: String]) -> Self
}

extension FileConfigurable {
    public static var fileAliases: [String: String] { [:] }
    public static var fileIgnoredKeys: Set<String> { [] }
    public static func fileBase(_ scalars: [String: String]) -> Self { Self() }
}
