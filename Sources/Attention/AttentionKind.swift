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
}
