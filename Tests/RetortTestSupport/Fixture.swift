import Foundation
import XCTest
import RetortCore

/// One PyTorch parity fixture, written by a script in `tools/pytorch/` into a test target's
/// `Fixtures/<name>.json` and shipped as that target's resource (each target passes its
/// own `Bundle.module`; see its `Fixture+Bundle.swift`).
///
/// Format: `{"name", "meta": {key: number | string | bool | [number]}, "tensors": {key: {"shape", "data"}}}`.
/// Image tensors (x, y, dx, dy) are NHWC; weights are in PyTorch layout.
public struct Fixture {
    public enum Meta: Decodable {
        case bool(Bool), number(Double), string(String), numbers([Double])
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Bool.self) { self = .bool(v) }
            else if let v = try? c.decode(Double.self) { self = .number(v) }
            else if let v = try? c.decode(String.self) { self = .string(v) }
            else { self = .numbers(try c.decode([Double].self)) }
        }
    }
    struct RawTensor: Decodable { let shape: [Int]; let data: [Float] }
    struct Raw: Decodable { let name: String; let meta: [String: Meta]; let tensors: [String: RawTensor] }

    public let name: String
    public let meta: [String: Meta]
    private let raw: [String: RawTensor]

    public struct Missing: Error, CustomStringConvertible {
        public let name: String, script: String
        public var description: String { "fixture \(name).json not found in the test bundle (run \(script))" }
    }

    /// Loads `Fixtures/<name>.json` from `bundle`; `script` is what makes it (named when missing).
    public init(_ name: String, bundle: Bundle, script: String) throws {
        guard let url = bundle.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else { throw Missing(name: name, script: script) }
        let r = try JSONDecoder().decode(Raw.self, from: Data(contentsOf: url))
        self.name = r.name; meta = r.meta; raw = r.tensors
    }

    public var tensorNames: [String] { Array(raw.keys) }

    /// A fresh tensor (each call copies, so tests may mutate it).
    public func tensor(_ key: String, file: StaticString = #filePath, line: UInt = #line) -> Tensor {
        guard let t = raw[key] else {
            XCTFail("\(name): no tensor '\(key)'", file: file, line: line)
            return Tensor(shape: [0])
        }
        return Tensor(shape: t.shape, values: t.data)
    }
    public func has(_ key: String) -> Bool { raw[key] != nil }
    public func values(_ key: String) -> [Float] { raw[key]?.data ?? [] }

    public func double(_ key: String) -> Double {
        switch meta[key] {
        case .number(let v)?: return v
        case .bool(let b)?: return b ? 1 : 0
        default: XCTFail("\(name): meta '\(key)' is not a number"); return .nan
        }
    }
    public func float(_ key: String) -> Float { Float(double(key)) }
    public func int(_ key: String) -> Int { Int(double(key)) }
    public func bool(_ key: String) -> Bool {
        if case .bool(let b)? = meta[key] { return b }
        XCTFail("\(name): meta '\(key)' is not a bool"); return false
    }
    public func string(_ key: String) -> String {
        if case .string(let s)? = meta[key] { return s }
        XCTFail("\(name): meta '\(key)' is not a string"); return ""
    }
    public func numbers(_ key: String) -> [Double] {
        if case .numbers(let v)? = meta[key] { return v }
        XCTFail("\(name): meta '\(key)' is not a list"); return []
    }
}
