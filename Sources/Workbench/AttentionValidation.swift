import Attention
import RunKit
import TrainEngine

/// The Attention tab's live settings and the options its queue of runs is built from.
public enum AttentionSettings {
    public static let names = ["kind", "sparse_threshold", "lr"]
    static let kindNames = AttentionKind.allCases.map(\.rawValue)

    /// A validated live setting.
    enum Value {
        case kind(AttentionKind)
        case sparseThreshold(Float)
        case lr(Float)
    }

    /// Parses and checks `text` for the live setting `name`; throws a one-line reason.
    static func parse(_ name: String, _ text: String) throws -> Value {
        switch name {
        case "kind":
            guard let k = AttentionKind(rawValue: text) else {
                throw JobFailure("kind: unknown attention '\(text)' (allowed: \(kindNames.joined(separator: ", ")))")
            }
            return .kind(k)
        case "sparse_threshold":
            guard let v = Hyperparameters.parse(text), v.isFinite else { throw JobFailure("sparse_threshold: '\(text)' is not a number") }
            guard v > 0 && v < 1 else { throw JobFailure("sparse_threshold: must be in (0, 1), got \(text)") }
            return .sparseThreshold(Float(v))
        case "lr":
            var h = Hyperparameters(TrainConfig())
            do { try h.set("lr", text) } catch { throw JobFailure("\(error)") }
            return .lr(h.lr)
        default:
            throw JobFailure("unknown setting '\(name)': one of \(names.joined(separator: ", "))")
        }
    }

    /// Applies `retort attention train`-style options (names without "--") over `c`.
    static func apply(_ options: [(String, String)], to c: inout AttentionTrainConfig) throws -> [AttentionKind] {
        var kinds: [AttentionKind] = [.softmax, .taylor, .taylorSparse]
        for (k, v) in options {
            func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
                guard let x = T(v) else { throw JobFailure("attention option \(k): '\(v)' is not a number") }
                return x
            }
            switch k {
            case "data":
                guard let d = TrainConfig.DataSet(rawValue: v) else {
                    throw JobFailure("attention option data: unknown data set '\(v)' (allowed: \(TrainConfig.DataSet.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                c.data = d
            case "kinds": kinds = try AttentionKind.parseList(v)
            case "epochs": c.epochs = try number(Int.self)
            case "seed": c.seed = try number(UInt64.self)
            case "batch-size": c.batchSize = try number(Int.self)
            case "lr": c.lr = try number(Float.self); c.minLR = min(c.minLR, c.lr)
            case "sparse-threshold": c.sparse.threshold = try number(Float.self)
            case "test-count": c.testCount = try number(Int.self)
            case "threads": c.threads = try number(Int.self)
            case "shift": c.shiftAugment = try number(Int.self)
            case "warmup-epochs": c.warmupEpochs = try number(Float.self)
            default:
                throw JobFailure("attention option '\(k)': unknown (allowed: data, kinds, epochs, seed, batch-size, lr, sparse-threshold, test-count, threads, shift, warmup-epochs)")
            }
        }
        do { try c.validate() } catch { throw JobFailure("\(error)") }
        return kinds
    }
}

extension AttentionWorkbenchJob {
    /// nil when `text` is allowed for the live setting `name`, else a one-line reason
    /// (the job checks again when it applies the change, e.g. that the queue has room).
    public static func validate(_ name: String, _ text: String) -> String? {
        do { _ = try AttentionSettings.parse(name, text); return nil } catch { return "\(error)" }
    }
}
