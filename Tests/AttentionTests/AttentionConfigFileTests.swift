import Attention
import Foundation
import RunKit
import XCTest

/// `retort attention train --config FILE`: nested `sparse` and `vit` keys, the flags' names
/// for the sparse settings, and a run's config.json read back (its folders are the new run's).
final class AttentionConfigFileTests: XCTestCase {
    func read(_ text: String) throws -> AttentionTrainConfig {
        try ConfigFile.parse(AttentionTrainConfig.self, bytes: Array(text.utf8), path: "a.yaml").config
    }

    func testARunsConfigJSONReadsBackWithoutItsFolders() throws {
        var c = AttentionTrainConfig()
        c.data = .digits; c.kind = .taylorSparse; c.vit = .digits; c.sparse.threshold = 0.01; c.sparse.bits = 8
        c.sparseAnneal = 0.25; c.epochs = 2; c.shiftAugment = 0; c.seed = 3; c.runName = "r"; c.compareFolder = "cmp"
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        var want = c
        want.runName = nil; want.compareFolder = nil
        XCTAssertEqual(try read(String(decoding: try enc.encode(c), as: UTF8.self)), want)
    }

    func testSparseKeysNestedOrByTheFlagsNames() throws {
        XCTAssertEqual(try read("sparse:\n  threshold: 0.05\n").sparse, SparseConfig(threshold: 0.05))
        XCTAssertEqual(try read("sparse-threshold: 0.05\nquant-bits: 6\n").sparse, SparseConfig(threshold: 0.05, bits: 6))
    }

    func testAPartialViTNamesWhatIsMissing() {
        XCTAssertThrowsError(try read("kind: taylor\nvit:\n  depth: 2\n")) {
            XCTAssertTrue("\($0)".hasPrefix("a.yaml:2: vit: missing name, image-size, channels, patch-size, width, heads, mlp-ratio, classes"), "\($0)")
        }
    }
}
