import Attention
import RetortData
import TrainEngine

/// The options the Attention tab's queue of runs is built from.
enum AttentionQueueOptions {
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
                guard !v.isEmpty else { throw JobFailure("attention option data: empty (a sample name, \(SampleData.allCases.map(\.rawValue).joined(separator: " or ")), or a data file or folder)") }
                c.data = DataSource(v)
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
            case "vit": do { c.vit = try ViTSpec.parse(v).applied(to: c.model) } catch { throw JobFailure("attention option \(error)") }
            default:
                throw JobFailure("attention option '\(k)': unknown (allowed: data, kinds, epochs, seed, batch-size, lr, sparse-threshold, test-count, threads, shift, warmup-epochs, vit)")
            }
        }
        do { try c.validate() } catch { throw JobFailure("\(error)") }
        return kinds
    }
}
