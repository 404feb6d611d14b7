import Foundation
import XCTest
import RetortCore

/// One PyTorch parity fixture, written by `tools/pytorch/attention_fixtures.py` into
/// `Tests/AttentionTests/Fixtures/<name>.json` and shipped as a test resource.
/// (Same format as RetortCoreTests' fixtures; copied because test modules are separate.)
struct Fixture {
    enum Meta: Decodable {
        case bool(Bool), number(Double), string(String), numbers([Double])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Bool.self) { self = .bool(v) }
            else if let v = try? c.decode(Double.self) { self = .number(v) }
            else if let v = try? c.decode(String.self) { self = .string(v) }
            else { self = .numbers(try c.decode([Double].self)) }
        }
    }
    struct RawTensor: Decodable { let shape: [Int]; let data: [Float] }
    struct Raw: Decodable { let name: String; let meta: [String: Meta]; let tensors: [String: RawTensor] }

    let name: String
    let meta: [String: Meta]
    private let raw: [String: RawTensor]

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "fixture \(name).json not found in the test bundle (run tools/pytorch/attention_fixtures.py)" }
    }

    init(_ name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else { throw Missing(name: name) }
        let r = try JSONDecoder().decode(Raw.self, from: Data(contentsOf: url))
        self.name = r.name; meta = r.meta; raw = r.tensors
    }

    var tensorNames: [String] { Array(raw.keys) }

    func tensor(_ key: String, file: StaticString = #filePath, line: UInt = #line) -> Tensor {
        guard let t = raw[key] else {
            XCTFail("\(name): no tensor '\(key)'", file: file, line: line)
            return Tensor(shape: [0])
        }
        return Tensor(shape: t.shape, values: t.data)
    }
    func has(_ key: String) -> Bool { raw[key] != nil }

    func double(_ key: String) -> Double {
        switch meta[key] {
        case .number(let v)?: return v
        case .bool(let b)?: return b ? 1 : 0
        default: XCTFail("\(name): meta '\(key)' is not a number"); return .nan
        }
    }
    func float(_ key: String) -> Float { Float(double(key)) }
    func int(_ key: String) -> Int { Int(double(key)) }
    func bool(_ key: String) -> Bool {
        if case .bool(let b)? = meta[key] { return b }
        XCTFail("\(name): meta '\(key)' is not a bool"); return false
    }
    func string(_ key: String) -> String {
        if case .string(let s)? = meta[key] { return s }
        XCTFail("\(name): meta '\(key)' is not a string"); return ""
    }
    func numbers(_ key: String) -> [Double] {
        if case .numbers(let v)? = meta[key] { return v }
        XCTFail("\(name): meta '\(key)' is not a list"); return []
    }
}
