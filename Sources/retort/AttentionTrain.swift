import ArgumentParser
import Attention
import Foundation
import RetortCore
import RetortData
import RunKit
import TrainEngine

/// Trains the ViT once per (seed, attention kind) on the same data split and initialisation,
/// then prints the accuracy table (mean ± std over seeds), the op-count table and, with
/// --diagnostics, the per-layer Taylor-vs-softmax diagnostics of each trained model.
extension AttentionKind: ExpressibleByArgument {}
extension SparseThresholdMode: ExpressibleByArgument {}
extension TaylorCentring: ExpressibleByArgument {}

struct AttentionTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the ViT with each attention kind on the same seeds; accuracy table, op table, run folders.")

    @OptionGroup var file: ConfigFileOption
    @Option(help: "Data: mnist5k (28×28, patch 4 → 49+1 tokens), digits (8×8, patch 2 → 16+1), or a data file or folder (square images; see `retort train --help`). (default: \(AttentionTrainConfig().data))") var data: DataSource?
    @Option(help: "Epochs per run. (default: \(AttentionTrainConfig().epochs))") var epochs: Int?
    @Option(help: "Comma-separated seeds (data split, initialisation, order, augmentation) (default: the --config file's seed, else 1,2,3).") var seeds: String?
    @Option(help: "Attention kinds, comma-separated (default: the --config file's kind, else softmax,taylor,taylor-sparse).") var kinds: CommaList<AttentionKind>?
    @Option(help: "Mini-batch size. (default: \(AttentionTrainConfig().batchSize))") var batchSize: Int?
    @Option(help: "AdamW base learning rate (warm-up, then cosine to --min-lr). (default: \(AttentionTrainConfig().lr))") var lr: Float?
    @Option(help: "Final learning rate of the cosine schedule. (default: \(AttentionTrainConfig().minLR))") var minLR: Float?
    @Option(help: "AdamW weight decay (not on biases, norms, CLS and positions). (default: \(AttentionTrainConfig().weightDecay))") var weightDecay: Float?
    @Option(help: "Warm-up epochs. (default: \(AttentionTrainConfig().warmupEpochs))") var warmupEpochs: Float?
    @Option(help: "Label smoothing. (default: \(AttentionTrainConfig().labelSmoothing))") var labelSmoothing: Float?
    @Option(help: "Images held out for testing. (default: \(AttentionTrainConfig().testCount))") var testCount: Int?
    @Option(help: "Random shift augmentation in pixels (default 2 for mnist5k, 1 for digits).") var shift: Int?
    @Option(help: "Sparse mask threshold τ (keep P̃ > τ). (default: \(SparseConfig().threshold))") var sparseThreshold: Float?
    @Option(help: "How the sparse mask's threshold is set [R]: absolute (keep P̃ > τ), kept-fraction (keep the largest --sparse-kept-fraction of each head map) or token-scaled (keep P̃ > τ·N/n, N = --sparse-reference-tokens). (default: absolute)")
    var sparseThresholdMode: SparseThresholdMode?
    @Option(help: "kept-fraction mode: fraction of each head map's n² entries kept. (default: \(SparseConfig().keptFraction))") var sparseKeptFraction: Float?
    @Option(help: "token-scaled mode: the token count at which --sparse-threshold holds (DeiT's 197, where the released code's 0.002 was set). (default: \(SparseConfig().referenceTokens))") var sparseReferenceTokens: Int?
    @Flag(inversion: .prefixedNo, help: "Divide the sparse term by √d, as the released code divides both terms (default: off, the paper's Z = Taylor + S_sparse·V).") var sparseInvSqrtD: Bool?
    @Flag(inversion: .prefixedNo, help: "One quantiser for Q̃ and K̃, as the released code shares its QuantMeasure (default: off, one each).") var sharedQuantizer: Bool?
    @Option(help: "Taylor step 1 [R]: centre K over the tokens (the paper's text) or over the head dimension (the released code). (default: tokens)")
    var centring: TaylorCentring?
    @Option(help: "Bits of the fake-quantised Q̃, K̃ of the sparse path (0 = full precision). (default: \(SparseConfig().bits))") var quantBits: Int?
    @Option(help: "Ramp the weight of S_sparse·V from 1 to 0 over this final fraction of training (0 = keep it to the end, as ViTALiTy). (default: \(AttentionTrainConfig().sparseAnneal))") var sparseAnneal: Float?
    @Option(help: "ViT width (default: the data set's preset, 64).") var width: Int?
    @Option(help: "ViT blocks (default: the preset's 4).") var depth: Int?
    @Option(help: "ViT attention heads (default: the preset's 4).") var heads: Int?
    @OptionGroup var vitShape: ViTOptions
    @Option(name: .customLong("init"), help: "Initialise every run's ViT from this safetensors file (timm names and layout, as --export-dir writes).") var initWeights: String?
    @Option(help: "Write each trained ViT to DIR/vit-<kind>-<data>-s<seed>.safetensors (timm names and layout; `retort eval --weights FILE`).") var exportDir: String?
    @Flag(help: "Do not write TensorBoard event files in the run folders.") var noTensorboard = false
    @OptionGroup var checkpoints: CheckpointOptions
    @Option(help: "Threads for BLAS and Retort's loops. (default: \(AttentionTrainConfig().threads))") var threads: Int?
    @Option(help: "Folder that holds run folders. (default: \(AttentionTrainConfig().runRoot))") var runs: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var dataRead: DataReadOptions
    @Flag(help: "Print per-layer diagnostics (Taylor vs softmax error, centred-logit histogram, negative weights) of each kind's first-seed model.") var diagnostics = false
    @Option(help: "Test images used for the diagnostics.") var diagnosticImages: Int = 100

    /// The seeds given, else the file's seed, else 1, 2, 3; nil when --seeds does not parse.
    func seedList(_ file: ConfigFileContents<AttentionTrainConfig>?) -> [UInt64]? {
        guard let seeds else { return file.map { $0.sets("seed") } == true ? [file!.config.seed] : [1, 2, 3] }
        let v = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        return !v.isEmpty && v.allSatisfy { $0 != nil } ? v.map { $0! } : nil
    }

    /// The kinds given, else the file's kind, else all three.
    func kindList(_ file: ConfigFileContents<AttentionTrainConfig>?) -> [AttentionKind] {
        if let kinds { return kinds.values }
        if let file, file.sets("kind") { return [file.config.kind] }
        return [.softmax, .taylor, .taylorSparse]
    }

    /// The options given over `base` (the file's config or the defaults).
    func applied(over base: AttentionTrainConfig) -> AttentionTrainConfig {
        var c = base
        if let data { c.data = data.absolute }
        c.dataOptions = dataRead.applied(to: c.dataOptions)
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let lr { c.lr = lr }
        if let minLR { c.minLR = minLR }
        if let weightDecay { c.weightDecay = weightDecay }
        if let warmupEpochs { c.warmupEpochs = warmupEpochs }
        if let labelSmoothing { c.labelSmoothing = labelSmoothing }
        if let testCount { c.testCount = testCount }
        if let shift { c.shiftAugment = shift }
        if let threads { c.threads = threads }
        if let runs { c.runRoot = runs }
        if let sparseThreshold { c.sparse.threshold = sparseThreshold }
        if let quantBits { c.sparse.bits = quantBits }
        if let sparseThresholdMode { c.sparse.thresholdMode = sparseThresholdMode }
        if let sparseKeptFraction { c.sparse.keptFraction = sparseKeptFraction }
        if let sparseReferenceTokens { c.sparse.referenceTokens = sparseReferenceTokens }
        if let sparseInvSqrtD { c.sparse.scaleByInvSqrtD = sparseInvSqrtD }
        if let sharedQuantizer { c.sparse.sharedQuantizer = sharedQuantizer }
        if let centring { c.centring = centring }
        if let sparseAnneal { c.sparseAnneal = sparseAnneal }
        return withViT(c, for: c.data.sample.map { DataSignature($0) })
    }

    /// `c` with its ViT: the file's, else the preset for the data's images (`signature`, known
    /// once the data is loaded; the samples' without loading), then --width/--depth/--heads.
    func withViT(_ base: AttentionTrainConfig, for signature: DataSignature?) -> AttentionTrainConfig {
        var c = base
        if c.vit == nil {
            guard let signature else { return c }   // data other than a sample: once it is loaded
            c.vit = try? ViTConfig.preset(for: signature)
        }
        vitShape.apply(to: &c)
        if width != nil || depth != nil || heads != nil {
            var v = c.model
            v.width = width ?? v.width; v.depth = depth ?? v.depth; v.heads = heads ?? v.heads
            v.name = "vit-\(c.data.shortName)-w\(v.width)-d\(v.depth)-h\(v.heads)"
            c.vit = v
        }
        return c
    }

    func config(_ base: AttentionTrainConfig, kind: AttentionKind, seed: UInt64) -> AttentionTrainConfig {
        var c = base
        c.kind = kind; c.seed = seed
        return c
    }

    func validate() throws {
        let file = self.file.load(AttentionTrainConfig.self)
        guard let s = seedList(file), Set(s).count == s.count else { throw ValidationError("--seeds must be distinct comma-separated integers, got '\(seeds ?? "")'") }
        for k in kindList(file) {
            try checkConfig(file, options: { config(applied(over: $0), kind: k, seed: s[0]) }) { try $0.validate() }
        }
        guard (1...OptionBounds.testCount).contains(diagnosticImages) else { throw ValidationError("--diagnostic-images must be in 1…\(OptionBounds.testCount), got \(diagnosticImages)") }
    }

    func run() throws {
        let file = self.file.load(AttentionTrainConfig.self)
        let kindList = kindList(file), seedList = seedList(file)!
        var common = applied(over: file?.config ?? AttentionTrainConfig())
        let threads = common.threads, runs = common.runRoot, data = common.data, testCount = common.testCount, epochs = common.epochs
        let dir = dataOptions.directory(for: data)
        Threads.set(threads)
        // The data is read first: a file that cannot be read fails before any run folder exists.
        var preparedBySeed: [UInt64: PreparedData] = [:]
        func prepared(_ seed: UInt64) -> PreparedData {
            if let p = preparedBySeed[seed] { return p }
            do {
                let p = try PreparedData.load(data, settings: common.dataOptions, directory: dir, testCount: testCount, seed: seed)
                preparedBySeed = [seed: p]   // one seed's split at a time
                return p
            } catch { fail("\(error)") }
        }
        let signature = prepared(seedList[0]).signature
        if data.sample == nil {
            if common.vit == nil { do { _ = try ViTConfig.preset(for: signature) } catch { fail("\(error)") } }
            common = withViT(common, for: signature)
        }
        let base = config(common, kind: kindList[0], seed: seedList[0])
        do { try base.validate(); try base.check(against: signature) } catch { fail("\(error)") }
        // A file that does not fit the ViT fails here, before any run folder exists.
        var initFile: SafeTensorsFile?
        if let initWeights {
            do {
                let f = try SafeTensors.read(URL(fileURLWithPath: initWeights))
                try ViTWeights.load(f, into: VisionTransformer(base.model, kind: base.kind, seed: 0))
                refuseNonFiniteInit(f, path: initWeights)
                initFile = f
            } catch { fail("\(error)") }
        }
        if let exportDir {
            do { try FileManager.default.createDirectory(atPath: exportDir, withIntermediateDirectories: true) }
            catch { fail("export-dir \(exportDir): cannot create it (\(error.localizedDescription))") }
        }
        let model = base.model
        print("ViT \(model); \(model.parameterCount) parameters")
        print("AdamW lr \(base.lr) (warm-up \(base.warmupEpochs) epochs, cosine to \(base.minLR)), weight decay \(base.weightDecay), batch \(base.batchSize), label smoothing \(base.labelSmoothing), shift ±\(base.shift) px; \(epochs) epochs; BLAS \(BLASRuntime.coreName) × \(threads) threads")
        let started = Date()
        var results: [AttentionKind: [UInt64: Double]] = [:]
        var firstModels: [AttentionKind: AttentionJob] = [:]
        let compareFolder = try RunFolder.create(root: runs, name: nil, generated: ["vit-compare", data.shortName], config: base)
        let compareName = compareFolder.lastPathComponent
        var keptSparse: [UInt64: Double] = [:]
        var diagnosticText: [AttentionKind: String] = [:]
        if kindList.count > 1 || seedList.count > 1 {
            // more than one run: a study over the kinds × seeds, each run a child process
            let r = runStudy(compareFolder, kinds: kindList, seeds: seedList, threads: threads, dataDirectory: data.sample == nil ? nil : dir)
            results = r.results; keptSparse = r.keptSparse; diagnosticText = r.diagnostics
        } else {
        for seed in seedList {
            let prepared = prepared(seed)
            for kind in kindList {
                var c = config(common, kind: kind, seed: seed)
                c.compareFolder = compareName
                let folder = try RunFolder.create(root: runs, name: nil, generated: c.runNameParts, config: c)
                let name = folder.lastPathComponent
                let job = try AttentionJob(config: c, data: prepared, log: try MetricsLog(folder: folder, tensorBoard: !noTensorboard))
                if let initFile { try ViTWeights.load(initFile, into: job.model) }
                job.checkpointEvery = checkpoints.every
                job.checkpoints = CheckpointStore(runFolder: folder, keep: checkpoints.keep)
                let t0 = Date()
                var last: AttentionEpochSummary?
                attentionHeadless(job, folder: folder) { last = $0 }
                let secs = Date().timeIntervalSince(t0)
                let acc = Double(last!.testAccuracy)
                results[kind, default: [:]][seed] = acc
                if let a = last!.testAccuracyWithSparse { keptSparse[seed] = Double(a) }
                do { try AttentionSummary.record(last!, config: c, runName: name, seconds: secs, in: compareFolder) } catch { fail("\(error)") }
                print(String(format: "%@ seed %llu: test accuracy %.2f%% in %.0f s → %@", kind.rawValue, seed, 100 * acc, secs, folder.path))
                if let exportDir {
                    let url = URL(fileURLWithPath: exportDir).appendingPathComponent("vit-\(kind.rawValue)-\(data.shortName)-s\(seed).safetensors")
                    do { try ViTWeights.export(job, to: url) } catch { fail("\(error)") }
                    print("  exported to \(url.path)")
                }
                if firstModels[kind] == nil { firstModels[kind] = job }
            }
        }
        }

        print("\ntest accuracy on \(data.shortName) (\(preparedBySeed.values.first.map { "\($0.test.count) test images: \($0.testOrigin)" } ?? "")), \(epochs) epochs; mean ± sample std over seeds \(seedList.map(String.init).joined(separator: ","))")
        let softMean = results[.softmax].map { SeedSummary(Array($0.values)).mean }
        print(columns([("kind", 14), ("inference", 24), ("mean ± std", 16)] + seedList.map { ("seed \($0)", 8) } + [("Δ vs softmax", 13)]))
        for kind in kindList {
            let byseed = results[kind]!
            let s = SeedSummary(seedList.map { byseed[$0]! })
            let delta = softMean.map { String(format: "%+.2f", 100 * (s.mean - $0)) } ?? "—"
            print(columns([(kind.rawValue, 14), (kind.inferenceForm, 24), (String(format: "%.2f ± %.2f", 100 * s.mean, 100 * s.std), 16)]
                          + seedList.map { (String(format: "%.2f", 100 * byseed[$0]!), 8) } + [(delta, 13)]))
        }
        if keptSparse.count == seedList.count {
            let s = SeedSummary(seedList.map { keptSparse[$0]! })
            let delta = softMean.map { String(format: "%+.2f", 100 * (s.mean - $0)) } ?? "—"
            print(columns([("taylor-sparse", 14), ("Taylor + S_sparse·V", 24), (String(format: "%.2f ± %.2f", 100 * s.mean, 100 * s.std), 16)]
                          + seedList.map { (String(format: "%.2f", 100 * keptSparse[$0]!), 8) } + [(delta, 13)])
                  + "   (diagnostic: sparse path kept at test time)")
        }
        print("")
        print(AttentionReport.opTable([(model.name, model.tokens, model.headDim, model.heads, model.width),
                                       (ViTConfig.deitTiny.name, 197, 64, 3, 192)]))
        if diagnostics {
            print("\ndiagnostics on \(diagnosticImages) test images (first seed's model of each kind; Taylor and softmax on the same real Q, K, V)")
            for kind in kindList {
                if let text = diagnosticText[kind] { print(text); continue }
                guard let job = firstModels[kind] else { continue }
                let d = job.diagnostics(images: diagnosticImages)
                print(AttentionReport.diagnostics(d, title: "\(kind.rawValue)-trained model"))
                let swapSoft = job.evaluate(job.data.test, kind: .softmax), swapTay = job.evaluate(job.data.test, kind: .taylor)
                print(String(format: "  test accuracy with softmax at inference %.2f%%, with Taylor at inference %.2f%%", 100 * swapSoft.accuracy, 100 * swapTay.accuracy))
            }
        }
        print(String(format: "\nall runs in %.1f min; summary in %@/summary.csv", Date().timeIntervalSince(started) / 60, compareFolder.path))
    }
}

extension AttentionReport {
    static func diagnostics(_ d: AttentionDiagnostics, title: String) -> String {
        var lines = ["\(title) (\(d.kind.inferenceForm) at inference):"]
        lines.append(columns([("layer", 7), ("‖Z_T − Z_S‖/‖Z_S‖", 18), ("raw |x|≥1", 10), ("centred |x|≥1", 14), ("neg. weights", 13)]))
        for l in d.layers {
            lines.append(columns([("\(l.layer)", 7), (String(format: "%.4f", l.relativeError), 18), (String(format: "%.2f%%", 100 * l.rawShareOutside), 10),
                                  (String(format: "%.2f%%", 100 * l.centredShareOutside), 14), (String(format: "%.3f%%", 100 * l.negativeWeightShare), 13)]))
        }
        let (lo, hi, bins) = AttentionDiagnostics.histogramRange
        let merged = d.layers.dropFirst().reduce(d.layers[0].centredLogits) { var h = $0; h.merge($1.centredLogits); return h }
        let peak = max(1, merged.counts.max() ?? 1)
        lines.append(String(format: "  centred logits, all layers, %d bins over [%.0f, %.0f) (below %d, above %d):", bins, lo, hi, merged.below, merged.above))
        let bars = " ▁▂▃▄▅▆▇█"
        lines.append("  " + String(merged.counts.map { c in bars[bars.index(bars.startIndex, offsetBy: Int((Double(c) / Double(peak) * 8).rounded()))] }))
        return lines.joined(separator: "\n")
    }
}

/// Runs an attention job's remaining steps, printing the epoch lines (first, every fifth,
/// last) and one line per checkpoint that could not be written; `onEpoch` sees every epoch.
/// A divergence stops the program (no further run starts) with exit status 3 and one line
/// naming the kind and seed and how to go on.
func attentionHeadless(_ job: AttentionJob, folder: URL, onEpoch: (AttentionEpochSummary) -> Void = { _ in }) {
    let kind = job.config.kind, seed = job.config.seed, epochs = job.config.epochs
    while !job.isFinished {
        let r = job.step()
        for case .failed(let m) in r.checkpoints {
            writeStderr("retort: checkpoint not written: \(m)\n")
        }
        if let d = r.divergence { exitDiverged(d, run: "\(kind.rawValue) seed \(seed)", lastCheckpoint: job.lastCheckpoint, folder: folder) }
        guard let s = r.epochSummary else { continue }
        onEpoch(s)
        if s.epoch == 1 || s.epoch % 5 == 0 || s.epoch == epochs {
            let sparse = s.maskDensity.map { String(format: "  mask %.2f", $0) } ?? ""
            let kept = s.testAccuracyWithSparse.map { String(format: " (sparse kept %.2f%%)", 100 * $0) } ?? ""
            print(String(format: "  %-13@ seed %llu epoch %3d/%d  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%%@%@  %5.0f img/s",
                         kind.rawValue, seed, s.epoch, epochs, s.trainLoss, 100 * s.trainAccuracy, s.testLoss, 100 * s.testAccuracy,
                         kept, sparse, s.samplesPerSecond))
            fflush(nil)
        }
    }
}

/// `summary.csv` of a `retort attention train` folder: one row per finished run, written
/// (atomically) as each run ends, so an interrupted session keeps the rows of the runs it
/// finished, and a run resumed later replaces its own row.
enum AttentionSummary {
    static let header = "kind,seed,test_accuracy,test_accuracy_with_sparse,test_loss,train_loss,seconds,run"

    /// Adds or replaces (by run name, the last column) the row of a finished run.
    static func record(_ last: AttentionEpochSummary, config c: AttentionTrainConfig, runName: String, seconds: Double, in folder: URL) throws {
        let url = folder.appendingPathComponent("summary.csv")
        var rows = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).dropFirst()
            .filter { !$0.hasSuffix("," + runName) }
        rows.append("\(c.kind.rawValue),\(c.seed),\(last.testAccuracy),\(last.testAccuracyWithSparse.map { "\($0)" } ?? ""),\(last.testLoss),\(last.trainLoss),\(String(format: "%.1f", seconds)),\(runName)")
        try AtomicFile.write(Data(([header] + rows).joined(separator: "\n").appending("\n").utf8), to: url)
    }

    /// Adds or replaces (by run name, the last column) a row given as its fields.
    static func record(row: [String], in folder: URL) throws {
        let url = folder.appendingPathComponent("summary.csv")
        var rows = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).dropFirst()
            .filter { !$0.hasSuffix("," + (row.last ?? "")) }
        rows.append(row.joined(separator: ","))
        try AtomicFile.write(Data(([header] + rows).joined(separator: "\n").appending("\n").utf8), to: url)
    }

    /// The compare folder of a resumed run (nil when it has none or it is gone).
    static func folder(of runFolder: URL, config c: AttentionTrainConfig) -> URL? {
        guard let name = c.compareFolder else { return nil }
        let f = runFolder.deletingLastPathComponent().appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: f.appendingPathComponent("config.json").path) ? f : nil
    }
}
