import Foundation
import XCTest
import RetortCore

/// One PyTorch parity fixture, written by `tools/pytorch/make_fixtures.py` into
/// `Tests/RetortCoreTests/Fixtures/<name>.json` and shipped as a test resource.
///
/// Format: `{"name", "meta": {key: number | string | bool | [number]}, "tensors": {key: {"shape", "data"}}}`.
/// Image tensors (x, y, dx, dy) are NHWC; weights are in PyTorch layout.
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

    enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        var description: String {
            switch self {
            case .missing(let n): return "fixture \(n).json not found in the test bundle (run tools/pytorch/make_fixtures.py)"
            }
        }
    }

    static func url(_ name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")
    }

    init(_ name: String) throws {
        guard let url = Fixture.url(name) else { throw LoadError.missing(name) }
        let r = try JSONDecoder().decode(Raw.self, from: Data(contentsOf: url))
        self.name = r.name; meta = r.meta; raw = r.tensors
    }

    /// A fresh tensor (each call copies, so tests may mutate it).
    func tensor(_ key: String, file: StaticString = #filePath, line: UInt = #line) -> Tensor {
        guard let t = raw[key] else {
            XCTFail("\(name): no tensor '\(key)'", file: file, line: line)
            return Tensor(shape: [0])
        }
        return Tensor(shape: t.shape, values: t.data)
    }
    func has(_ key: String) -> Bool { raw[key] != nil }
    func values(_ key: String) -> [Float] { raw[key]?.data ?? [] }

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
