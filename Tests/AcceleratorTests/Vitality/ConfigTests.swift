import Accelerator
import Foundation
import XCTest

final class ConfigTests: XCTestCase {
    /// The embedded defaults are the committed file (configs/accelerator/vitality-default.json).
    func testEmbeddedDefaultsEqualTheCommittedFile() throws {
        let path = repoFile("configs/accelerator/vitality-default.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("repository file not available: \(path)") }
        XCTAssertEqual(VitalityConfig.defaultJSON + "\n", String(decoding: data, as: UTF8.self),
                       "run tools/scalesim/embed_default_config.sh")
        XCTAssertEqual(try VitalityConfig.parse(String(decoding: data, as: UTF8.self), file: path, base: nil), VitalityConfig.defaults())
    }

    /// Every default carries a source (or says "assumed").
    func testEveryDefaultHasASource() {
        let d = VitalityConfig.defaults()
        XCTAssertEqual(d.sources.count, VitalityConfig.hardwareKeys.count + VitalityConfig.energyKeys.count)
        for (k, v) in d.sources { XCTAssertFalse(v.isEmpty, k) }
        XCTAssertEqual(d.hardware.saRows, 64); XCTAssertEqual(d.hardware.clockMHz, 500)
        XCTAssertEqual(d.hardware.dramBytesPerCycle, 153.6, accuracy: 1e-9)
        XCTAssertEqual(d.hardware.sramInputKB + d.hardware.sramScratchKB + d.hardware.sramOutputKB + d.hardware.sramWeightKB, 320)
    }

    func testOverridesAndErrors() throws {
        let base = VitalityConfig.defaults()
        let o = try VitalityConfig.parse(#"{"hardware": {"chunks": 2, "sa_rows": {"value": 32, "source": "iso-Sanger"}}, "energy_pj": {"exp": 7.5}}"#,
                                         file: "o.json", base: base)
        XCTAssertEqual(o.hardware.chunks, 2); XCTAssertEqual(o.hardware.saRows, 32); XCTAssertEqual(o.energy.exp, 7.5)
        XCTAssertEqual(o.hardware.saCols, 64)
        XCTAssertEqual(o.sources["hardware.sa_rows"], "iso-Sanger")
        func err(_ s: String) -> String? {
            do { _ = try VitalityConfig.parse(s, file: "o.json", base: base); return nil }
            catch let e as InputFileError { return e.description } catch { return "\(error)" }
        }
        XCTAssertEqual(err(#"{"hardware": {"chunk": 2}}"#)?.hasPrefix("o.json: hardware.chunk: unknown key"), true)
        XCTAssertEqual(err(#"{"hardware": {"chunks": 0}}"#), "o.json: hardware.chunks: must be an integer ≥ 1, got 0")
        XCTAssertEqual(err(#"{"hardware": {"chunks": 1.5}}"#), "o.json: hardware.chunks: must be an integer ≥ 1, got 1.5")
        XCTAssertEqual(err(#"{"hardware": {"sa_double_buffered": 1}}"#), "o.json: hardware.sa_double_buffered: expected true or false")
        XCTAssertEqual(err(#"{"hardware": {"clock_mhz": true}}"#), "o.json: hardware.clock_mhz: expected a number")
        XCTAssertEqual(err(#"{"hardwar": {}}"#)?.contains("unknown section"), true)
        XCTAssertEqual(err("{")?.hasPrefix("o.json: invalid JSON"), true)
        // a full config must give every key with a source
        XCTAssertNotNil(try? VitalityConfig.parse(VitalityConfig.defaultJSON, file: "d.json", base: nil))
        let noSource = VitalityConfig.defaultJSON.replacingOccurrences(of: #""chunks": {"value": 1, "source": "#, with: #""chunks": {"value": 1, "x": "#)
        XCTAssertThrowsError(try VitalityConfig.parse(noSource, file: "d.json", base: nil))
    }

    /// Each key sets one parameter of its own: changing key k alone changes exactly one
    /// stored property, and no two keys change the same one.
    func testEveryKeySetsItsOwnParameter() throws {
        let base = VitalityConfig.defaults()
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(VitalityConfig.defaultJSON.utf8)) as? [String: Any])
        func changed<T>(_ a: T, _ b: T) -> [String] {
            zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children)
                .filter { "\($0.value)" != "\($1.value)" }.compactMap(\.0.label)
        }
        for (section, keys) in [("hardware", VitalityConfig.hardwareKeys), ("energy_pj", VitalityConfig.energyKeys)] {
            let entries = try XCTUnwrap(root[section] as? [String: [String: Any]])
            var seen: [String: String] = [:]
            for k in keys {
                let v = try XCTUnwrap(entries[k]?["value"], k)
                let isBool = type(of: v) == Bool.self || String(describing: type(of: v)).contains("Boolean")
                let number = (v as? NSNumber)?.doubleValue ?? (v as? Double) ?? (v as? Int).map(Double.init)
                let override = isBool ? String(!(v as! Bool)) : String(try XCTUnwrap(number, k) + 3)
                let o = try VitalityConfig.parse(#"{"\#(section)": {"\#(k)": \#(override)}}"#, file: "o.json", base: base)
                let props = section == "hardware" ? changed(base.hardware, o.hardware) : changed(base.energy, o.energy)
                XCTAssertEqual(props.count, 1, "\(section).\(k) changed \(props)")
                if let p = props.first {
                    XCTAssertNil(seen[p], "\(section).\(k) and \(section).\(seen[p] ?? "") both set \(p)")
                    seen[p] = k
                }
            }
            XCTAssertEqual(seen.count, keys.count, section)
        }
    }
}
