import Foundation

/// The MLP's hidden widths in flag form: `512,256,128` (`--mlp-hidden`).
public enum MLPSpec {
    /// Largest hidden width a spec may ask for.
    public static let maxWidth = 65_536
    /// Largest number of hidden layers.
    public static let maxLayers = 64

    /// Parses a comma list of hidden widths; the error names the field and what is allowed.
    public static func parseHidden(_ text: String, field: String = "mlp-hidden") throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let allowed = "1 to \(maxLayers) comma-separated widths in 1…\(maxWidth), e.g. 512,256,128"
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, parts.count <= maxLayers else {
            throw ModelSpecError("\(field): must be \(allowed), got '\(text)'")
        }
        return try parts.map { p in
            guard let v = Int(p), (1...maxWidth).contains(v) else { throw ModelSpecError("\(field): must be \(allowed), got '\(text)'") }
            return v
        }
    }
}
