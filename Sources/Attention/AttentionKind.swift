/// Which attention a ViT block runs.
public enum AttentionKind: String, Codable, Sendable, CaseIterable {
    /// softmax(QKᵀ/√d)·V
    case softmax
    /// ViTALiTy's linear first-order Taylor attention with row-mean centring (paper Algorithm 1).
    case taylor
    /// Taylor attention plus the Sanger-style sparse component during training only.
    case taylorSparse = "taylor-sparse"
    /// The released code's variant (centring over the head dimension, no normalisation).
    case taylorRepo = "taylor-repo"

    /// Whether the 4-bit predicted sparse map S_sparse·V is added to the output.
    /// `taylorSparse` uses it in training only (inference is the low-rank path alone);
    /// the released code (`taylorRepo`) has no train/inference switch and always uses it.
    public func usesSparsePath(training: Bool) -> Bool {
        switch self {
        case .softmax, .taylor: return false
        case .taylorSparse: return training
        case .taylorRepo: return true
        }
    }

    /// The attention that runs at inference (what the op counts and the accuracy describe).
    public var inferenceForm: String {
        switch self {
        case .softmax: return "softmax"
        case .taylor, .taylorSparse: return "six-step linear Taylor"
        case .taylorRepo: return "repo: (S_sparse·V + Q·(K̃ᵀV))/√d"
        }
    }

    /// Parses a comma-separated list such as "softmax,taylor,taylor-sparse".
    public static func parseList(_ text: String) throws -> [AttentionKind] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw AttentionError("kinds: give at least one of \(allCases.map(\.rawValue).joined(separator: ", "))") }
        return try names.map { name in
            guard let k = AttentionKind(rawValue: name) else {
                throw AttentionError("kinds: unknown attention '\(name)' (allowed: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return k
        }
    }
}

/// A one-line, user-facing error from the attention engine.
public struct AttentionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Which axis the Taylor kinds centre K over (step 1): the paper's text centres over the
/// tokens (k̂_sum = 0, the denominator n√d for every query); the released code centres each
/// token over the head dimension (k̂_sum ≠ 0: the denominator varies with the query).
public enum TaylorCentring: String, Codable, Sendable, CaseIterable {
    case tokens
    case head
}
