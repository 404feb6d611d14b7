import Foundation
import RetortCore

/// A SCALE-Sim `.cfg` (spec scalesim §6.1), validated. Retort only times CALC-mode compute,
/// so the SRAM sizes, offsets and bandwidths are read and checked but only the array,
/// the dataflow and the offsets (for traces) affect results. Sizes are bounded by `SizeLimits`.
public struct ScaleSimConfig: Sendable, Equatable {
    public enum InterfaceBandwidth: String, Sendable { case calc = "CALC", user = "USER" }

    public var runName: String
    public var array: ArrayShape
    public var dataflow: Dataflow
    public var sramKB: (ifmap: Int, filter: Int, ofmap: Int)
    public var offsets: OperandOffsets
    public var interfaceBandwidth: InterfaceBandwidth
    /// `Bandwidth` (USER mode only).
    public var bandwidths: [Int]
    /// Notes about accepted-but-unused settings (printed by the CLI).
    public var notes: [String]
    /// The v3-only keys (and sections) the file lacked and that got SCALE-Sim 3.0.0's
    /// defaults (a v2-era config), in file order: `ReadRequestBuffer`, `[layout]`, …
    public var defaulted: [String] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.runName == b.runName && a.array == b.array && a.dataflow == b.dataflow && a.sramKB == b.sramKB
            && a.offsets == b.offsets && a.interfaceBandwidth == b.interfaceBandwidth && a.bandwidths == b.bandwidths
    }

    public init(runName: String = "retort_run", array: ArrayShape, dataflow: Dataflow) {
        self.runName = runName; self.array = array; self.dataflow = dataflow
        sramKB = (256, 256, 128); offsets = OperandOffsets(); interfaceBandwidth = .calc; bandwidths = []; notes = []
    }

    public static func load(path: String) throws -> ScaleSimConfig {
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.textLimit) } catch let e as RegularFile.ReadError {
            throw InputFileError(file: path, line: nil, field: nil, e.message)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> ScaleSimConfig {
        let ini = try IniFile(text: text, file: file)
        let arch = "architecture_presets"
        let runName = try ini.require("general", "run_name").value
        guard !runName.isEmpty else {
            throw InputFileError(file: file, line: ini.entry("general", "run_name")?.line, field: "general.run_name", "empty run name")
        }
        var c = ScaleSimConfig(runName: runName,
                               array: ArrayShape(rows: try ini.int(arch, "ArrayHeight", min: 1, max: SizeLimits.arraySide),
                                                 cols: try ini.int(arch, "ArrayWidth", min: 1, max: SizeLimits.arraySide)),
                               dataflow: .outputStationary)
        let df = try ini.require(arch, "Dataflow")
        guard let flow = Dataflow(scaleSim: df.value) else {
            throw InputFileError(file: file, line: df.line, field: "\(arch).\(df.key)", "'\(df.value)' is not one of os, ws, is")
        }
        c.dataflow = flow
        c.sramKB = (try ini.int(arch, "IfmapSramSzkB", min: 1, max: SizeLimits.sramKB), try ini.int(arch, "FilterSramSzkB", min: 1, max: SizeLimits.sramKB),
                    try ini.int(arch, "OfmapSramSzkB", min: 1, max: SizeLimits.sramKB))
        c.offsets = OperandOffsets(ifmap: try ini.int(arch, "IfmapOffset", min: 0, max: SizeLimits.offset),
                                   filter: try ini.int(arch, "FilterOffset", min: 0, max: SizeLimits.offset),
                                   ofmap: try ini.int(arch, "OfmapOffset", min: 0, max: SizeLimits.offset))
        // v3-only keys a v2-era file lacks get SCALE-Sim 3.0.0's built-in defaults (V2Defaults).
        var defaulted: [String] = []
        for k in ["ReadRequestBuffer", "WriteRequestBuffer"] {
            if ini.entry(arch, k) != nil { _ = try ini.int(arch, k, min: 1, max: SizeLimits.buffer) } else { defaulted.append(k) }
        }

        let ib = try ini.require("run_presets", "InterfaceBandwidth")
        guard let mode = InterfaceBandwidth(rawValue: ib.value) else {
            throw InputFileError(file: file, line: ib.line, field: "run_presets.\(ib.key)", "'\(ib.value)' is not CALC or USER")
        }
        c.interfaceBandwidth = mode
        if mode == .user {
            let bw = try ini.require(arch, "Bandwidth")
            let parts = bw.value.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw InputFileError(file: file, line: bw.line, field: "\(arch).\(bw.key)", "'\(bw.value)' is not a comma-separated list of positive integers")
            }
            if let big = parts.first(where: { $0! > SizeLimits.buffer }) {
                throw InputFileError(file: file, line: bw.line, field: "\(arch).\(bw.key)", SizeLimits.tooLarge(big!, SizeLimits.buffer))
            }
            c.bandwidths = parts.map { $0! }
            c.notes.append("InterfaceBandwidth USER: Retort reports CALC-mode (stall-free) cycles; SCALE-Sim's USER-mode stall counts are model artefacts (spec §7)")
        }
        if let r = ini.entry("run_presets", "UseRamulatorTrace") {
            if r.value == "True" {
                throw InputFileError(file: file, line: r.line, field: "run_presets.\(r.key)", "Ramulator traces are not supported")
            }
        } else {
            defaulted.append("UseRamulatorTrace")
        }
        // [layout] and [sparsity] are required by SCALE-Sim 3.0.0 but not by 2.x: validate when present, default when absent.
        if ini.has("layout") {
            for k in ["IfmapCustomLayout", "FilterCustomLayout"] where ini.entry("layout", k) != nil {
                if try ini.bool("layout", k) {
                    throw InputFileError(file: file, line: ini.entry("layout", k)?.line, field: "layout.\(k)", "custom layouts are not supported")
                }
            }
            for k in ["IfmapSRAMBankBandwidth", "IfmapSRAMBankNum", "IfmapSRAMBankPort",
                      "FilterSRAMBankBandwidth", "FilterSRAMBankNum", "FilterSRAMBankPort"] where ini.entry("layout", k) != nil {
                _ = try ini.int("layout", k, min: 1, max: SizeLimits.buffer)
            }
        } else {
            defaulted.append("[layout]")
        }
        if let s = ini.entry("sparsity", "SparsitySupport") {
            if s.value.lowercased() == "true" {
                throw InputFileError(file: file, line: s.line, field: "sparsity.\(s.key)", "sparsity is not supported")
            }
        } else {
            defaulted.append("[sparsity]")
        }
        let ignored = V2Defaults.v2OnlyKeys.filter { ini.entry(arch, $0) != nil }
        if !defaulted.isEmpty || !ignored.isEmpty {
            c.defaulted = defaulted
            c.notes.append(V2Defaults.note(defaulted: defaulted, ignored: ignored))
        }
        if ini.has("network_presets") {
            c.notes.append("[network_presets] ignored (SCALE-Sim 3.0.0 crashes on it; pass the topology explicitly)")
        }
        return c
    }
}
