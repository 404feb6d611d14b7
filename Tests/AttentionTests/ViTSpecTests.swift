import Attention
import RetortData
import RetortModels
import TrainEngine
import XCTest

/// `--vit` specs: parsing, overriding the preset, errors, and ViTs for a data shape.
final class ViTSpecTests: XCTestCase {
    func testKeysOverrideThePreset() throws {
        let s = try ViTSpec.parse("depth=3, width=24;heads=3,patch=7,mlp=2")
        XCTAssertEqual(s, ViTSpec(depth: 3, width: 24, heads: 3, patch: 7, mlpRatio: 2))
        XCTAssertEqual(try ViTSpec.parse(s.text), s)
        let v = s.applied(to: .mnist)
        XCTAssertEqual([v.depth, v.width, v.heads, v.patchSize, v.mlpRatio, v.imageSize, v.channels, v.classes], [3, 24, 3, 7, 2, 28, 1, 10])
        XCTAssertEqual(v.name, "vit-mnist-w24-d3-h3-p7-m2")
        XCTAssertEqual(try ViTSpec.parse("mlp-ratio=8").applied(to: .digits).mlpRatio, 8)
        XCTAssertEqual(try ViTSpec.parse("depth=4").applied(to: .digits), .digits, "a spec that changes nothing keeps the preset")
    }

    func testBadSpecsFailWithOneLine() {
        let cases: [(String, String)] = [
            ("", "vit: empty spec (form: depth=N,width=N,heads=N,patch=N,mlp=N (any subset))"),
            ("depth=0", "vit: depth: must be a whole number in 1…64, got '0'"),
            ("width=abc", "vit: width: must be a whole number in 1…4096, got 'abc'"),
            ("heads", "vit: heads: needs a value (heads=N)"),
            ("dpth=2", "vit: unknown key 'dpth' (allowed: depth, width, heads, patch, mlp)"),
            ("depth=2,depth=3", "vit: depth: given twice"),
        ]
        for (text, want) in cases {
            XCTAssertThrowsError(try ViTSpec.parse(text), text) { XCTAssertEqual("\($0)", want) }
        }
        // a shape that does not fit the images fails in ViTConfig's check
        var c = AttentionTrainConfig(); c.data = .digits
        c.vit = try! ViTSpec.parse("patch=3").applied(to: c.model)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("patch size 3 must divide the image size 8"), "\($0)") }
        c.vit = nil
        c.vit = try! ViTSpec.parse("width=30,heads=4").applied(to: c.model)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("heads 4 must divide the width 30"), "\($0)") }
    }

    func testViTForADataShape() throws {
        let v = try ViTConfig.make(ViTSpec(depth: 2, patch: 4), for: ModelShape(height: 32, width: 32, channels: 3, classes: 100))
        XCTAssertEqual([v.imageSize, v.channels, v.classes, v.patchSize, v.depth, v.width], [32, 3, 100, 4, 2, 64])
        XCTAssertEqual(try ViTConfig.make(nil, for: ModelShape(height: 8, width: 8, channels: 1, classes: 10)).patchSize, 2)
        XCTAssertThrowsError(try ViTConfig.make(nil, for: ModelShape(height: 8, width: 10, channels: 1, classes: 10))) {
            XCTAssertEqual("\($0)", "vit: the ViT takes square images, the data's are 8×10")
        }
    }
}
