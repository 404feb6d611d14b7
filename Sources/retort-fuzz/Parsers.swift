import Accelerator
import Attention
import Distill
import Foundation
import RetortCore
import RetortData
import RetortModels
import RetortUI
import RunKit
import TrainEngine

/// The parsers a user's files reach, by name. Each takes raw bytes and must either return
/// or throw its one-line error — never trap, hang or read out of bounds.
enum FuzzParsers {
    /// What `retort sim scalesim` does with accepted sizes: the closed form for every
    /// dataflow, and the demand simulation when its size limit lets it run.
    static func timeBounded(_ gemms: [GemmShape], on array: ArrayShape) {
        for g in gemms {
            for df in Dataflow.allCases {
                let plan = FoldPlan(gemm: g, array: array, dataflow: df)
                let r = ScaleSimModel.run(plan)
                if SizeLimits.demandSimulationFits(plan) && plan.foldCount * plan.foldLength <= 1 << 16 {
                    let d = DemandSimulation(plan).run()
                    precondition(d.totalCycles == r.totalCycles, "demand simulation disagrees with the closed form on \(g)")
                }
            }
        }
    }

    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "config": { b in
            // `--config FILE` for each engine's config; an accepted one is range-checked as the commands do
            if let c = try? ConfigFile.parse(TrainConfig.self, bytes: b, path: "fuzz.yaml") { _ = try? c.config.validate() }
            if let c = try? ConfigFile.parse(DistillConfig.self, bytes: b, path: "fuzz.yaml") { _ = try? c.config.validate() }
            if let c = try? ConfigFile.parse(AttentionTrainConfig.self, bytes: b, path: "fuzz.yaml") { _ = try? c.config.validate() }
        },
        "theme": { b in _ = try? Theme.parse(String(decoding: b, as: UTF8.self), file: "fuzz.toml") },
        "csv": { b in
            _ = try? Dataset.parse(bytes: b, file: "fuzz.csv")
            _ = try? Dataset.parse(bytes: b, file: "fuzz.csv", featureCount: 4, valueRange: 0...16, classCount: 10)
            // `--data FILE.csv`: a header row detected, its label column found, the class count inferred
            _ = try? Dataset.parse(bytes: b, file: "fuzz.csv", classCount: nil, columns: CSVColumns())
            _ = try? Dataset.parse(bytes: b, file: "fuzz.csv", classCount: nil, columns: CSVColumns(label: .first, header: true))
            _ = try? Dataset.parse(bytes: b, file: "fuzz.csv", classCount: nil, columns: CSVColumns(label: .name("label")))
        },
        "data-sidecar": { b in
            // FILE.yaml beside a data file
            if let c = try? ConfigFile.parse(DataReadSettings.self, bytes: b, path: "fuzz.csv.yaml") { _ = try? c.config.loadOptions() }
        },
        "gzip": { b in
            if let inflated = try? GzipReader.inflate(b, file: "fuzz.csv.gz") {
                _ = try? Dataset.parse(bytes: inflated, file: "fuzz.csv.gz")
            }
        },
        "scalesim-config": { b in
            // an accepted config's array (within SizeLimits) times a GEMM in closed form
            if let c = try? ScaleSimConfig.parse(String(decoding: b, as: UTF8.self), file: "fuzz.cfg") {
                timeBounded([GemmShape(m: 197, k: 64, n: 197)], on: c.array)
            }
        },
        "topology": { b in
            let text = String(decoding: b, as: UTF8.self)
            // every accepted layer (within SizeLimits) goes through the closed form, on the
            // smallest array (the most folds) and a large one
            for gemm in [false, true] {
                if let layers = try? ScaleSimTopology.parse(text, file: "fuzz.csv", gemm: gemm) {
                    for array in [ArrayShape(rows: 1, cols: 1), ArrayShape(rows: 128, cols: 128)] { timeBounded(layers.map(\.gemm), on: array) }
                }
            }
        },
        "safetensors": { b in _ = try? SafeTensors.decode(Data(b), file: "fuzz.safetensors") },
        "tfrecord": { b in _ = try? TFRecord.records(b, file: "fuzz.tfevents") },
        // image data formats: every size is bounded by a 64 MB budget, as a small machine would be
        "npy": { b in _ = try? NpyArray.parse(bytes: b, file: "fuzz.npy", budget: 64 << 20) },
        "npz": { b in
            guard let zip = try? ZipArchive(bytes: b, file: "fuzz.npz") else { return }
            for m in zip.members { _ = try? NpyArray.parse(bytes: zip.contents(of: m, budget: 64 << 20), file: "fuzz.npz", budget: 64 << 20) }
        },
        "idx": { b in
            _ = try? IdxFile.parse(bytes: b, file: "fuzz-idx3-ubyte", budget: 64 << 20)
            // the same bytes as an images file and its own labels file
            _ = try? IdxFile.imagesAndLabels(bytes: b, file: "fuzz-idx3-ubyte", labels: b, labelsFile: "fuzz-idx1-ubyte", budget: 64 << 20)
        },
        "cifar": { b in
            for v in CifarBatch.Variant.allCases { _ = try? CifarBatch.parse(bytes: b, file: "fuzz.bin", variant: v, budget: 64 << 20) }
        },
        "cnn-spec": { b in
            // an accepted spec prints back to itself and expands for any image size
            if let s = try? CNNSpec.parse(String(decoding: b, as: UTF8.self)) {
                precondition((try? CNNSpec.parse(s.text)) == s, "cnn spec text does not round-trip: \(s.text)")
                let side = s.resolution ?? .init(height: 9, width: 7)
                if let c = try? s.config(height: side.height, width: side.width, channels: 3, classes: 10) {
                    precondition(c.blocks.count == s.rows.reduce(0) { $0 + $1.repeats }, "row expansion lost blocks")
                }
            }
            _ = try? MLPSpec.parseHidden(String(decoding: b, as: UTF8.self))
        },
        "vit-spec": { b in
            if let s = try? ViTSpec.parse(String(decoding: b, as: UTF8.self)) {
                precondition((try? ViTSpec.parse(s.text)) == s || s.text.isEmpty, "vit spec text does not round-trip: \(s.text)")
                _ = try? s.applied(to: .digits).validate()
            }
        },
        "accel-config": { b in _ = try? VitalityConfig.parse(String(decoding: b, as: UTF8.self), file: "fuzz.json", base: .defaults()) },
        "topology-writer": { b in
            // the bytes pick a small model; every form and depthwise choice must be read back
            // by the topology reader to the GEMMs the writer meant
            let shape = fuzzModel(b)
            for form in TopologyForm.allCases {
                for dw in DepthwiseChoice.allCases {
                    let rows = ScaleSimTopologyWriter.rows(shape, form: form, depthwise: dw)
                    let text = ScaleSimTopologyWriter.csv(rows, form: form)
                    guard let read = try? ScaleSimTopology.parse(text, file: "w.csv", gemm: form == .gemm) else {
                        preconditionFailure("the reader refuses a written topology:\n\(text)")
                    }
                    precondition(read.map(\.gemm) == rows.flatMap { $0.layers.map(\.gemm) }, "read-back GEMMs differ:\n\(text)")
                    precondition(read.reduce(0) { $0 + $1.gemm.macs } == shape.macs, "MACs differ:\n\(text)")
                }
            }
        },
    ]
}

/// A small MLP, tiny CNN or ViT chosen by the bytes (every size bounded).
func fuzzModel(_ b: [UInt8]) -> LayerShapes {
    var it = b.makeIterator()
    func next(_ lo: Int, _ hi: Int) -> Int { lo + Int(it.next() ?? 0) % (hi - lo + 1) }
    switch next(0, 2) {
    case 0:
        return .mlp(name: "m", inputs: next(1, 64), hidden: (0..<next(0, 3)).map { _ in next(1, 64) }, classes: next(1, 16))
    case 1:
        var c = TinyCNNConfig.digits()
        c.inputSide = next(1, 32); c.inputChannels = next(1, 3); c.classes = next(1, 10)
        c.stem = next(1, 16); c.stemStride = next(1, 2); c.head = next(1, 32)
        c.blocks = (0..<next(0, 3)).map { _ in TinyCNNConfig.Block(out: next(1, 16), expand: next(1, 4), stride: next(1, 2)) }
        return c.layerShapes(name: "c")
    default:
        let patch = next(1, 8), heads = next(1, 4)
        let t = TransformerShape(name: "v", image: patch * next(1, 8), patch: patch, channels: next(1, 3), width: heads * next(1, 16),
                                 heads: heads, depth: next(1, 3), mlpRatio: next(1, 4), classes: next(1, 10))
        return t.layerShapes(attention: next(0, 1) == 0 ? .softmax : .taylor)
    }
}
