/// A model spec that does not parse or does not fit the data: one line naming the field and
/// what is allowed (`cnn: row 2: kernel: must be odd in 1…11, got 4`). The CLI and config
/// readers print it as it is.
public struct ModelSpecError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
