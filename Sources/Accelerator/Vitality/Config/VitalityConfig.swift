import Foundation
import RetortCore

/// Hardware + energy configuration read from JSON. Layout:
/// `{"hardware": {key: {"value": v, "source": "..."}}, "energy_pj": {...}}`; override files
/// may give plain values (`"chunks": 2`) and only the keys they change. Sizes are bounded by
/// `SizeLimits`; a byte-order mark, CRLF line ends and trailing blanks are accepted.
public struct VitalityConfig: Sendable, Equatable {
    public var hardware: AcceleratorHardware
    public var energy: EnergyTable
    /// `section.key` → source note of the value in effect.
    public var sources: [String: String]

    public static let hardwareKeys = hardwareFields.map(\.key)
    public static let energyKeys = energyFields.map(\.key)

    /// The committed defaults (`configs/accelerator/vitality-default.json`).
    public static func defaults() -> VitalityConfig {
        // The embedded copy is checked against the file by the tests.
        try! parse(defaultJSON, file: "vitality-default.json", base: nil)
    }

    public static func load(path: String) throws -> VitalityConfig {
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw InputFileError(file: path, line: nil, field: nil, e.message)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, base: defaults())
    }

    /// Parses a full config (`base == nil`: every key required, each with a source) or an
    /// override on top of `base`.
    public static func parse(_ text: String, file: String, base: VitalityConfig?) throws -> VitalityConfig {
        let obj: Any
        let bytes = Data(TextLines.normalized(text).utf8)  // BOM, CRLF, trailing blanks
        if let d = JSONDuplicateKeys.first(in: bytes) {
            throw InputFileError(file: file, line: d.line, field: d.path, "duplicate key (each key may appear once)")
        }
        do { obj = try JSONSerialization.jsonObject(with: bytes) }
        catch { throw InputFileError(file: file, line: nil, field: nil, "invalid JSON: \(error.localizedDescription)") }
        guard let root = obj as? [String: Any] else { throw InputFileError(file: file, line: nil, field: nil, "top level must be an object") }
        for k in root.keys where !["about", "hardware", "energy_pj"].contains(k) {
            throw InputFileError(file: file, line: nil, field: k, "unknown section (allowed: hardware, energy_pj)")
        }
        var values: [String: Any] = [:]
        var sources = base?.sources ?? [:]
        for (section, keys) in [("hardware", hardwareKeys), ("energy_pj", energyKeys)] {
            let sec = root[section] as? [String: Any] ?? [:]
            if root[section] != nil && !(root[section] is [String: Any]) {
                throw InputFileError(file: file, line: nil, field: section, "must be an object")
            }
            for (k, v) in sec {
                let field = "\(section).\(k)"
                guard keys.contains(k) else {
                    throw InputFileError(file: file, line: nil, field: field, "unknown key (allowed: \(keys.joined(separator: ", ")))")
                }
                if let e = v as? [String: Any] {
                    guard let value = e["value"] else { throw InputFileError(file: file, line: nil, field: field, "missing \"value\"") }
                    let src = (e["source"] as? String) ?? ""
                    if base == nil && src.trimmingCharacters(in: .whitespaces).isEmpty {
                        throw InputFileError(file: file, line: nil, field: field, "missing \"source\" (say where the value comes from, or \"assumed\")")
                    }
                    values[field] = value
                    sources[field] = src.isEmpty ? "override (\(file))" : src
                } else {
                    guard base != nil else { throw InputFileError(file: file, line: nil, field: field, "expected {\"value\": …, \"source\": …}") }
                    values[field] = v
                    sources[field] = "override (\(file))"
                }
            }
            if base == nil {
                for k in keys where values["\(section).\(k)"] == nil {
                    throw InputFileError(file: file, line: nil, field: "\(section).\(k)", "missing")
                }
            }
        }
        var r = VitalityConfig(hardware: base?.hardware ?? unfilledHardware, energy: base?.energy ?? unfilledEnergy, sources: sources)
        func num(_ f: String) throws -> Double? {
            guard let v = values[f] else { return nil }
            guard !isJSONBool(v), let n = v as? NSNumber else { throw InputFileError(file: file, line: nil, field: f, "expected a number") }
            let d = n.doubleValue
            guard d.isFinite, d >= 0 else { throw InputFileError(file: file, line: nil, field: f, "must be a finite number ≥ 0") }
            return d
        }
        func shown(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        func int(_ f: String, min lo: Int, max hi: Int) throws -> Int? {
            guard let d = try num(f) else { return nil }
            guard d == d.rounded(), d >= Double(lo), d < 1e12 else {
                throw InputFileError(file: file, line: nil, field: f, "must be an integer ≥ \(lo), got \(shown(d))")
            }
            guard d <= Double(hi) else { throw InputFileError(file: file, line: nil, field: f, "must be at most \(hi), got \(shown(d))") }
            return Int(d)
        }
        func physical(_ f: String, min lo: Double, max hi: Double) throws -> Double? {
            guard let d = try num(f) else { return nil }
            guard d >= lo else { throw InputFileError(file: file, line: nil, field: f, "must be at least \(shown(lo)) (allowed \(shown(lo))…\(shown(hi))), got \(shown(d))") }
            guard d <= hi else { throw InputFileError(file: file, line: nil, field: f, "must be at most \(shown(hi)), got \(shown(d))") }
            return d
        }
        func bool(_ f: String) throws -> Bool? {
            guard let v = values[f] else { return nil }
            guard isJSONBool(v), let b = v as? Bool else { throw InputFileError(file: file, line: nil, field: f, "expected true or false") }
            return b
        }
        for (key, field) in hardwareFields {
            let f = "hardware." + key
            switch field {
            case .integer(let p, let lo, let hi): if let v = try int(f, min: lo, max: hi) { r.hardware[keyPath: p] = v }
            case .physical(let p, let lo, let hi): if let v = try physical(f, min: lo, max: hi) { r.hardware[keyPath: p] = v }
            case .flag(let p): if let v = try bool(f) { r.hardware[keyPath: p] = v }
            }
        }
        for (key, p) in energyFields {
            if let v = try physical("energy_pj." + key, min: 0, max: SizeLimits.energyPJ) { r.energy[keyPath: p] = v }
        }
        return r
    }

    /// JSONSerialization hands back booleans as NSNumber subclasses; tell them apart from 0/1.
    static func isJSONBool(_ v: Any) -> Bool { String(describing: type(of: v)).contains("Boolean") || type(of: v) == Bool.self }

    // Overwritten key by key while parsing the full defaults (every key is required there).
    static let unfilledHardware = AcceleratorHardware(
        clockMHz: 1, chunks: 1, saRows: 1, saCols: 1, saDiagRows: 1, accumulatorLanes: 1, adderLanes: 1,
        dividerLanes: 1, expLanes: 1, accumulatorLatency: 0, adderLatency: 0, dividerLatency: 0, expLatency: 0,
        saDoubleBuffered: false, wordBytes: 1, dramGBPerSecond: 1, dramLatencyCycles: 0, sramInputKB: 1,
        sramScratchKB: 1, sramOutputKB: 1, sramWeightKB: 1, softmaxMaxSubtraction: false)
    static let unfilledEnergy = EnergyTable(mac: 0, add: 0, mul: 0, div: 0, exp: 0, sramReadPerWord: 0,
                                               sramWritePerWord: 0, dramPerByte: 0, staticPerCycle: 0)
}
