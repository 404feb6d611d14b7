import Foundation
import RetortCore
import RetortModels
import RetortTestSupport
import RunKit
import TrainEngine
import XCTest

/// CNN specs: the text form, row expansion, presets, errors, building for a data shape, and
/// gradients of a non-default spec.
final class CNNSpecTests: XCTestCase {
    func testRowsExpandWithTheStrideOnTheFirstRepeatOnly() throws {
        let s = try CNNSpec.parse("stem=16/2; 1,16,1,1; 6,24,2,2; 6,32,3,2,5; head=96")
        XCTAssertEqual(s.stem, 16); XCTAssertEqual(s.stemStride, 2); XCTAssertEqual(s.head, 96); XCTAssertNil(s.resolution)
        XCTAssertEqual(s.blocks.map(\.stride), [1, 2, 1, 2, 1, 1])
        XCTAssertEqual(s.blocks.map(\.out), [16, 24, 24, 32, 32, 32])
        XCTAssertEqual(s.blocks.map(\.expand), [1, 6, 6, 6, 6, 6])
        XCTAssertEqual(s.blocks.map(\.kernelSize), [3, 3, 3, 5, 5, 5])
        // shortcut when stride 1 and the same channels: the stem's 16 → 16 block and every repeat after the first
        let cnn = TinyCNN(try s.config(height: 28, width: 28, channels: 1, classes: 10), seed: 1)
        XCTAssertEqual(cnn.blocks.map(\.hasShortcut), [true, false, true, false, true, true])
        XCTAssertEqual(cnn.blocks.map(\.depthwise.kernel), [3, 3, 3, 5, 5, 5])
        XCTAssertEqual(cnn.blocks.map(\.depthwise.padding), [1, 1, 1, 2, 2, 2])
        XCTAssertNil(cnn.blocks[0].expandConv, "t = 1 has no expansion conv")
        XCTAssertEqual(cnn.widthGroups, 4, "stem, the two stride-2 blocks without a shortcut, head")
    }

    func testTextFormRoundTripsAndAcceptsItsVariants() throws {
        let s = try CNNSpec.parse(" head=8 ;stem=4 ; 2,4,2,1,5;res=7x6; ")
        XCTAssertEqual(s.stemStride, 2, "stem=C means stride 2")
        XCTAssertEqual(s.resolution, .init(height: 7, width: 6))
        XCTAssertEqual(s.text, "stem=4/2; 2,4,2,1,5; head=8; res=7x6")
        XCTAssertEqual(try CNNSpec.parse(s.text), s)
        XCTAssertEqual(try CNNSpec.parse("stem=4/1; 1,4,1,1; head=4; res=9").resolution, .init(height: 9, width: 9))
        for p in CNNSpec.Preset.allCases { XCTAssertEqual(try CNNSpec.parse(p.spec.text), p.spec, p.rawValue) }
    }

    func testBadSpecsFailWithOneLineNamingTheField() {
        let cases: [(String, String)] = [
            ("", "cnn: empty spec"),
            ("stem=16/2; 6,24,2,2; head=96; 6,24", "cnn: row 2 '6,24': a row is t,c,n,s[,k]"),
            ("stem=16/2; 6,24,2,2,4; head=96", "cnn: row 1: kernel k: must be odd in 1…11, got 4"),
            ("stem=16/2; 6,24,2,2,13; head=96", "cnn: row 1: kernel k: must be odd in 1…11, got 13"),
            ("stem=16/2; 0,24,2,2; head=96", "cnn: row 1: expand t: must be in 1…16, got 0"),
            ("stem=16/2; 6,24,0,2; head=96", "cnn: row 1: repeats n: must be in 1…32, got 0"),
            ("stem=16/2; 6,24,1,5; head=96", "cnn: row 1: stride s: must be in 1…4, got 5"),
            ("stem=16/2; 6,5000,1,1; head=96", "cnn: row 1: channels c: must be in 1…4096, got 5000"),
            ("stem=16/0; 6,24,1,1; head=96", "cnn: stem stride: must be in 1…4, got 0"),
            ("stem=16/2; head=96", "cnn: rows: at least one row"),
            ("6,24,1,1; head=96", "cnn: stem: missing"),
            ("stem=16/2; 6,24,1,1", "cnn: head: missing"),
            ("stem=16/2; stem=8/1; 6,24,1,1; head=9", "cnn: stem: given twice"),
            ("stem=16/2; 6,x,1,1; head=96", "cnn: row 1 channels c: 'x' is not a whole number"),
            ("stem=16/2; 6,24,1,1; head=96; res=0x4", "cnn: resolution: must be H×W with sides in 1…4096, got 0×4"),
            ("stem=16/2; 6,24,1,1; head=96; width=3", "cnn: unknown part 'width='"),
            ("stem=16/2; 1,8,32,1; 1,8,32,1; 1,8,32,1; 1,8,32,1; 1,8,32,1; head=96", "cnn: rows: must be at most 128 blocks"),
            ("stem=4096/1; 16,4096,32,1; head=96", "parameters (at 3 input channels, 1000 classes): must be at most"),
        ]
        for (text, want) in cases {
            do {
                let s = try CNNSpec.parse(text)
                XCTFail("'\(text)' parsed as \(s.text)")
            } catch let e as ModelSpecError {
                XCTAssertTrue(e.description.hasPrefix(want) || (e.description.contains(want) && want.hasPrefix("parameters")), "'\(text)': \(e.description)")
                XCTAssertFalse(e.description.contains("\n"))
            } catch { XCTFail("\(error)") }
        }
    }

    func testPresetsForTheSampleDataAreTheTinyNetsRetortAlwaysBuilt() throws {
        let mnist = ModelShape(height: 28, width: 28, channels: 1, classes: 10), digits = ModelShape(height: 8, width: 8, channels: 1, classes: 10)
        XCTAssertEqual(try TinyCNNConfig.make(nil, for: mnist), .mnist())
        XCTAssertEqual(try TinyCNNConfig.make(nil, for: digits), .digits())
        XCTAssertEqual(try TinyCNNConfig.make(CNNSpec.tinyMNIST, for: mnist), .mnist())
        XCTAssertEqual(try TinyCNNConfig.make(CNNSpec.tinyDigits, for: digits), .digits())
        XCTAssertEqual(CNNSpec.defaultPreset(height: 15, width: 40), .tinyDigits)
        XCTAssertEqual(CNNSpec.defaultPreset(height: 32, width: 32), .tinyMNIST)
        // the same weights as before specs existed: same names, shapes and values for a seed
        var c = TrainConfig(); c.model = .cnn; c.width = 0.5
        let built = try TrainingJob.makeModel(c, sample: .mnist5k)
        var legacy = TinyCNNConfig.mnist()
        legacy.stem = 8; legacy.head = 48; legacy.blocks = legacy.blocks.map { .init(out: $0.out / 2, expand: $0.expand, stride: $0.stride) }
        let old = TinyCNN(legacy, seed: c.seed)
        XCTAssertEqual(built.name, old.name)
        XCTAssertEqual(built.parameters.map(\.value.array), old.parameters.map(\.value.array))
    }

    func testNetAugPresetsHaveThePublishedShapes() throws {
        let mb = try TinyCNNConfig.make(CNNSpec.mbv2Tiny, for: ModelShape(height: 144, width: 144, channels: 3, classes: 1000))
        XCTAssertEqual(mb.blocks.count, 17)
        XCTAssertEqual(mb.blocks.map(\.out), [8, 8, 8, 16, 16, 16, 24, 24, 24, 24, 32, 32, 32, 56, 56, 56, 112])
        XCTAssertEqual(mb.head, 448)
        let mc = try TinyCNNConfig.make(CNNSpec.mcunetLike, for: ModelShape(height: 160, width: 160, channels: 3, classes: 1000))
        XCTAssertEqual(mc.blocks.count, 18)
        XCTAssertEqual(mc.blocks.map(\.kernelSize), [3, 7, 3, 7, 5, 5, 5, 5, 3, 7, 5, 5, 7, 3, 3, 7, 3, 7])
        XCTAssertEqual(mc.blocks.map(\.expand), [1, 3, 5, 5, 4, 5, 5, 5, 5, 6, 4, 5, 5, 5, 6, 5, 4, 5])
        XCTAssertEqual(mc.blocks.map(\.stride), [1, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1])
        XCTAssertEqual(mc.blocks.last, .init(out: 160, expand: 5, stride: 1, kernel: 7))
        // NetAug's mid width of the last block is 480 = 5 × 96
        let net = TinyCNN(mc, seed: 1)
        XCTAssertEqual(net.blocks.last!.depthwise.maxOut, 480)
    }

    func testResolutionOtherThanTheImagesIsRefused() throws {
        let s = try CNNSpec.parse("stem=8/2; 6,8,1,1; head=16; res=160x160")
        XCTAssertThrowsError(try TinyCNNConfig.make(s, for: ModelShape(height: 28, width: 28, channels: 1, classes: 10))) { e in
            XCTAssertEqual("\(e)", "cnn: resolution 160×160 differs from the data's 28×28 images (Retort does not resize; drop res= to use the data's)")
        }
        XCTAssertNoThrow(try TinyCNNConfig.make(s, for: ModelShape(height: 160, width: 160, channels: 3, classes: 5)))
    }

    func testModelsAreBuiltForTheCallersShape() throws {
        var c = TrainConfig(); c.model = .cnn; c.cnn = try CNNSpec.parse("stem=4/2; 2,4,2,1,5; 3,6,1,2,7; head=8")
        let cnn = try TrainingJob.makeModel(c, shape: ModelShape(height: 12, width: 20, channels: 3, classes: 7))
        XCTAssertEqual(cnn.inputShape, [12, 20, 3]); XCTAssertEqual(cnn.classCount, 7)
        let y = cnn.forward(randomTensor([2, 12, 20, 3], seed: 1), training: false)
        XCTAssertEqual(y.shape, [2, 7])
        c.model = .mlp; c.cnn = nil; c.mlpHidden = [32, 16, 8]
        let mlp = try TrainingJob.makeModel(c, shape: ModelShape(height: 5, width: 4, channels: 3, classes: 4))
        XCTAssertEqual(mlp.inputShape, [60]); XCTAssertEqual(mlp.name, "mlp-60-32-16-8-4")
        c.model = .mlp; c.cnn = CNNSpec.mbv2Tiny
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual("\($0)", "cnn: a CNN spec needs --model cnn (the model is mlp)") }
    }

    /// Finite differences through a whole non-default spec: kernel 5 and 7, repeats with a
    /// shortcut, a stride-2 row, non-square 2-channel input, BatchNorm in training mode. As in
    /// the core layer checks, γ = 0.5 and β = 3 keep every ReLU6 input away from its kinks at
    /// 0 and 6, where finite differences are not the derivative.
    func testGradientsOfANonDefaultSpec() throws {
        let spec = try CNNSpec.parse("stem=4/1; 2,4,2,1,5; 3,6,1,2,7; head=6")
        let cnn = TinyCNN(try spec.config(height: 7, width: 6, channels: 2, classes: 3), seed: 5)
        XCTAssertEqual(cnn.blocks.map(\.hasShortcut), [true, true, false])
        XCTAssertEqual(cnn.blocks.map(\.depthwise.kernel), [5, 5, 7])
        for bn in cnn.batchNorms { bn.weight.value.fill(0.5); bn.bias.value.fill(3) }
        // float32 through 30 layers: absolute noise ~2e-4 on gradients of ~1e-2 (a wrong kernel,
        // stride or shortcut gives errors of order 1)
        GradCheck.assert(cnn, input: randomTensor([3, 7, 6, 2], seed: 9), training: true, tolerance: 3e-2, maxSamples: 24)
    }

    func testConfigsWithoutTheNewFieldsStillDecode() throws {
        // a config.json block and TinyCNNConfig written before kernels, non-square input and specs
        let block = try JSONDecoder().decode(TinyCNNConfig.Block.self, from: Data(#"{"out":16,"expand":2,"stride":1}"#.utf8))
        XCTAssertEqual(block.kernelSize, 3)
        let old = try JSONEncoder().encode(TinyCNNConfig.mnist())
        XCTAssertFalse(String(decoding: old, as: UTF8.self).contains("kernel"), "3×3 blocks encode as before")
        XCTAssertFalse(String(decoding: old, as: UTF8.self).contains("inputColumns"))
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainConfig())) as! [String: Any]
        XCTAssertNil(json["cnn"])
        json["model"] = "cnn"
        let back = try JSONDecoder().decode(TrainConfig.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertNil(back.cnn)
        var c = TrainConfig(); c.cnn = .mcunetLike
        XCTAssertEqual(try JSONDecoder().decode(TrainConfig.self, from: JSONEncoder().encode(c)).cnn, .mcunetLike)
    }

    func testMLPHiddenWidths() throws {
        XCTAssertEqual(try MLPSpec.parseHidden("512, 256,128"), [512, 256, 128])
        for bad in ["", "5,,3", "0", "12,x", "70000"] {
            XCTAssertThrowsError(try MLPSpec.parseHidden(bad), bad) { e in
                XCTAssertTrue("\(e)".hasPrefix("mlp-hidden: must be 1 to 64 comma-separated widths in 1…65536"), "\(e)")
            }
        }
    }
}
