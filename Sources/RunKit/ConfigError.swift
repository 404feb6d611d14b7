/// A refused file, option or value: one line for the user (see `RunFolder`, `PreparedData`
/// and the engines' configs).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
