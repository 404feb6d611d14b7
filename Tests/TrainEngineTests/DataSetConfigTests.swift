import Foundation
import RetortData
import RetortModels
import TrainEngine
import XCTest

/// `TrainConfig.data` is the one data-set type, `SampleData`: a config.json written before
/// (`"data":"digits"`) reads back unchanged, and the model presets follow the data set.
final class DataSetConfigTests: XCTestCase {
    func testConfigJSONKeepsTheRawValue() throws {
        var c = TrainConfig(); c.data = .digits
        let json = try JSONEncoder().encode(c)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains(#""data":"digits""#))
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["data"] = "mnist5k"
        let old = try JSONDecoder().decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.data, .mnist5k)
        object["data"] = "cifar10"
        XCTAssertThrowsError(try JSONDecoder().decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: object)))
    }

    func testTinyCNNPresetFollowsTheDataSet() {
        for sample in SampleData.allCases {
            let cfg = TinyCNNConfig.preset(for: sample)
            XCTAssertEqual(cfg.inputSide, sample.imageSide)
            XCTAssertEqual(cfg.classes, sample.classCount)
        }
        XCTAssertEqual(TinyCNNConfig.preset(for: .mnist5k), .mnist())
        XCTAssertEqual(TinyCNNConfig.preset(for: .digits), .digits())
    }
}
