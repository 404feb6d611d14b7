import Foundation
import RetortCore

/// The Sanger baseline's own settings (the hardware is the ViTALiTy configuration's).
/// Defaults: `configs/accelerator/sanger-default.json` (embedded in `defaultJSON`; a test
/// keeps the two identical). Layout `{"sanger": {key: {"value": v, "source": "..."}}}`;
/// an override file may give plain values and only the keys it changes.
public struct SangerConfig: Sendable, Hashable {
    /// Kept scores: predicted probability > threshold.
    public var threshold: Double
    public var predictBits: Int
    /// 4-bit MACs per PE per cycle in the prediction pass.
    public var predictMacsPerPE: Int
    public var predictMacPJ: Double
    /// Mask columns packed at a time (`num_ports`).
    public var ports: Int
    /// PEs per PE row (`num_pes`): a segment holds at most this many kept scores.
    public var pesPerRow: Int
    public var skipEmptyVectors: Bool
    public var syntheticDensity: Double
    /// key → source note of the value in effect.
    public var sources: [String: String]

    public static let keys = ["threshold", "predict_bits", "predict_macs_per_pe", "predict_mac_pj", "ports",
                              "pes_per_row", "skip_empty_vectors", "synthetic_density"]

    public static func defaults() -> SangerConfig { try! parse(defaultJSON, file: "sanger-default.json", base: nil) }

    public static func load(path: String) throws -> SangerConfig {
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw InputFileError(file: path, line: nil, field: nil, e.message)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, base: defaults())
    }

    public static func parse(_ text: String, file: String, base: SangerConfig?) throws -> SangerConfig {
        let bytes = Data(TextLines.normalized(text).utf8)
        if let d = JSONDuplicateKeys.first(in: bytes) {
            throw InputFileError(file: file, line: d.line, field: d.path, "duplicate key (each key may appear once)")
        }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: bytes) }
        catch { throw InputFileError(file: file, line: nil, field: nil, "invalid JSON: \(error.localizedDescription)") }
        guard let root = obj as? [String: Any] else { throw InputFileError(file: file, line: nil, field: nil, "top level must be an object") }
        for k in root.keys where !["about", "sanger"].contains(k) {
            throw InputFileError(file: file, line: nil, field: k, "unknown section (allowed: sanger)")
        }
        guard let sec = (root["sanger"] ?? [String: Any]()) as? [String: Any] else {
            throw InputFileError(file: file, line: nil, field: "sanger", "must be an object")
        }
        var r = base ?? SangerConfig(threshold: 0, predictBits: 1, predictMacsPerPE: 1, predictMacPJ: 0, ports: 1, pesPerRow: 1,
                                     skipEmptyVectors: true, syntheticDensity: 1, sources: [:])
        for k in keys where base == nil && sec[k] == nil {
            throw InputFileError(file: file, line: nil, field: "sanger.\(k)", "missing")
        }
        for k in sec.keys.sorted() {
            let field = "sanger.\(k)"
            guard keys.contains(k) else { throw InputFileError(file: file, line: nil, field: field, "unknown key (allowed: \(keys.joined(separator: ", ")))") }
            var v = sec[k]!
            var src = "override (\(file))"
            if let e = v as? [String: Any] {
                guard let value = e["value"] else { throw InputFileError(file: file, line: nil, field: field, "missing \"value\"") }
                let s = ((e["source"] as? String) ?? "").trimmingCharacters(in: .whitespaces)
                if base == nil && s.isEmpty { throw InputFileError(file: file, line: nil, field: field, "missing \"source\" (say where the value comes from)") }
                if !s.isEmpty { src = s }
                v = value
            } else if base == nil {
                throw InputFileError(file: file, line: nil, field: field, "expected {\"value\": …, \"source\": …}")
            }
            r.sources[field] = src
            func number(_ lo: Double, _ hi: Double, open: Bool = false, integer: Bool = false) throws -> Double {
                guard !VitalityConfig.isJSONBool(v), let d = (v as? NSNumber)?.doubleValue, d.isFinite else {
                    throw InputFileError(file: file, line: nil, field: field, "expected a number")
                }
                let allowed = integer ? "an integer in \(Int(lo))…\(Int(hi))" : open ? "\(lo) < value ≤ \(hi)" : "\(lo)…\(hi)"
                guard (open ? d > lo : d >= lo), d <= hi, !integer || d == d.rounded() else {
                    throw InputFileError(file: file, line: nil, field: field, "out of range (allowed: \(allowed)), got \(d)")
                }
                return d
            }
            switch k {
            case "threshold": r.threshold = try number(0, 1, open: true)
            case "predict_bits": r.predictBits = Int(try number(1, 16, integer: true))
            case "predict_macs_per_pe": r.predictMacsPerPE = Int(try number(1, 64, integer: true))
            case "predict_mac_pj": r.predictMacPJ = try number(0, SizeLimits.energyPJ)
            case "ports": r.ports = Int(try number(1, 4096, integer: true))
            case "pes_per_row": r.pesPerRow = Int(try number(1, 4096, integer: true))
            case "synthetic_density": r.syntheticDensity = try number(0, 1, open: true)
            default:
                guard VitalityConfig.isJSONBool(v), let b = v as? Bool else { throw InputFileError(file: file, line: nil, field: field, "expected true or false") }
                r.skipEmptyVectors = b
            }
        }
        guard r.pesPerRow <= r.ports else {
            throw InputFileError(file: file, line: nil, field: "sanger.pes_per_row", "must be at most ports (\(r.ports)), got \(r.pesPerRow)")
        }
        return r
    }
}
