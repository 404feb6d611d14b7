import Foundation
import RetortData
import RetortModels
import TrainEngine
import XCTest

/// `TrainConfig.data` is a `DataSource`, a sample or a path, written as one string: a
/// config.json written before paths were allowed (`"data":"digits"`) reads back unchanged, a
/// path reads back as a path, and the model presets follow the data's images.
final class DataSetConfigTests: XCTestCase {
    func testConfigJSONKeepsTheRawValue() throws {
        var c = TrainConfig(); c.data = .digits
        let json = try JSONEncoder().encode(c)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains(#""data":"digits""#))
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object["data"] = "mnist5k"
        let old = try JSONDecoder().decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.data, .mnist5k)
        object["data"] = "/data/cifar-10-batches-bin"
        XCTAssertEqual(try JSONDecoder().decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: object)).data,
                       .path("/data/cifar-10-batches-bin"))
        object["data"] = ""
        XCTAssertThrowsError(try JSONDecoder().decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: object)))
        XCTAssertNil(object["dataOptions"], "nothing set: no dataOptions key")
    }

    func testTinyCNNPresetFollowsTheDataSet() throws {
        for sample in SampleData.allCases {
            let cfg = try TinyCNNConfig.preset(for: DataSignature(sample))
            XCTAssertEqual(cfg.inputSide, sample.imageSide)
            XCTAssertEqual(cfg.classes, sample.classCount)
        }
        XCTAssertEqual(try TinyCNNConfig.preset(for: .mnist5k), .mnist())
        XCTAssertEqual(try TinyCNNConfig.preset(for: .digits), .digits())
        let rgb = try TinyCNNConfig.preset(for: DataSignature(shape: ImageShape(height: 32, width: 32, channels: 3), classCount: 100))
        XCTAssertEqual(rgb.inputSide, 32); XCTAssertEqual(rgb.inputChannels, 3); XCTAssertEqual(rgb.classes, 100)
        let wide = try TinyCNNConfig.preset(for: DataSignature(shape: ImageShape(height: 20, width: 30, channels: 1), classCount: 2))
        XCTAssertEqual(wide.inputSide, 20); XCTAssertEqual(wide.inputColumns, 30)
    }
}
