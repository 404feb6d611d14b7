import RunKit
import TrainEngine

extension AttentionJob {
    /// τ of the sparse mask as a live setting (0 and 1 are refused: all or nothing kept).
    public static func sparseThreshold<T>(help: String, get: @escaping @Sendable (T) -> Float,
                                          set: @escaping @Sendable (inout T, Float) -> Void) -> LiveSetting<T> {
        .number("sparse_threshold", .number(min: 0, max: 1, minInclusive: false, maxInclusive: false, logScale: true), help: help,
                get: { Double(get($0)) }, set: { set(&$0, Float($1)) })
    }

    /// What `set` changes between steps: the hyperparameters (`momentum` is accepted but
    /// AdamW ignores it) and τ of the sparse path (kept by every kind, used by the kinds
    /// with the sparse path).
    public static let settings = LiveSettings<AttentionJob>(
        Hyperparameters.settings.all.map { $0.lifted(get: { $0.hyper }, set: { $0.hyper = $1 }) } + [
            sparseThreshold(help: "τ of the sparse mask [P̃ > τ]", get: { $0.sparseThreshold },
                            set: { job, v in for c in job.model.cores { c.sparse.threshold = v } }),
        ])
}

/// The Attention tab's live settings: the attention of the run the next change queues,
/// and τ and lr for the running run and the queued ones.
public struct AttentionQueueSettings: Sendable, Equatable {
    public var kind: AttentionKind
    public var sparseThreshold: Float
    public var lr: Float
    public init(kind: AttentionKind, sparseThreshold: Float, lr: Float) { self.kind = kind; self.sparseThreshold = sparseThreshold; self.lr = lr }

    public static let settings = LiveSettings<AttentionQueueSettings>([
        .choice("kind", AttentionKind.self, help: "each change queues one more run with that attention",
                get: { $0.kind }, set: { $0.kind = $1 }),
        AttentionJob.sparseThreshold(help: "τ of the sparse mask [P̃ > τ]; now and for queued runs",
                                     get: { $0.sparseThreshold }, set: { $0.sparseThreshold = $1 }),
        Hyperparameters.learningRate(help: "AdamW base lr (cosine schedule); now and for queued runs",
                                     get: { $0.lr }, set: { $0.lr = $1 }),
    ])
}
