/// SCALE-Sim's COMPUTE_REPORT.csv, produced from Retort's SCALE-Sim-compatible timing.
public enum ComputeReport {
    public static let header = "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,"

    /// One result per layer. SCALE-Sim's "Total Cycles (incl. prefetch)" column is an
    /// artefact of its SRAM-fill model (spec scalesim §5) that Retort does not reproduce;
    /// it is written as `n/a`.
    public static func csv(_ results: [SystolicResult]) -> String {
        var s = header + "\n"
        for (i, r) in results.enumerated() {
            s += "\(i), n/a, \(r.totalCycles), \(r.stallCycles), \(python(r.overallUtil)), \(python(r.mappingEfficiency)), \(python(r.computeUtil)),\n"
        }
        return s
    }

    /// Python's `str(float)`: shortest round-trip digits (Swift's `description` is the same
    /// algorithm; only the exponent spelling differs, e.g. `1e-05`).
    public static func python(_ x: Double) -> String {
        var d = x.description
        if let e = d.firstIndex(of: "e") {
            let mant = d[..<e], exp = d[d.index(after: e)...]
            let neg = exp.hasPrefix("-")
            var digits = exp.drop { $0 == "-" || $0 == "+" }
            if digits.count < 2 { digits = "0" + digits }
            d = mant + "e" + (neg ? "-" : "+") + digits
        }
        return d
    }
}
