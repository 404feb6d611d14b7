/// Sanger's pack-and-split load balance, as `_eval_load_balance` in hatsu3/Sanger
/// `modeling_sanger_spattn.py` computes it [C]: every mask row is cut into `ports`-wide
/// vectors (the code's `num_ports` = 64); each non-empty vector is split into segments of at
/// most `pes` kept entries (`num_pes`, 16 or 32); a full segment uses all PEs of a PE row, the
/// remnant `kept mod pes` of them. Retort pads a row whose length is not a multiple of
/// `ports` with a last, shorter vector [R] (the code asserts `seq_len % num_ports == 0`).
public struct PackSplitStats: Sendable, Hashable {
    /// Σ ⌈kept/pes⌉ over the non-empty vectors: PE-row slots the kept scores occupy.
    public var segments = 0
    /// Σ ⌊kept/pes⌋ (segments with every PE busy).
    public var fullSegments = 0
    /// Σ kept/pes: the accumulated utilisation of all segments (full ones count 1).
    public var utilisationSum = 0.0
    public var emptyVectors = 0, nonEmptyVectors = 0
    /// Rows with at least one kept entry (their segments' partial outputs are merged).
    public var nonEmptyRows = 0
    public var kept = 0, entries = 0

    public init() {}

    /// Kept / all entries (the code's "overall-sparsity", which is a density).
    public var density: Double { entries > 0 ? Double(kept) / Double(entries) : 0 }
    /// PE utilisation with empty vectors skipped (the code's "skip" variant):
    /// Σ kept/pes ÷ segments.
    public var utilisation: Double { segments > 0 ? utilisationSum / Double(segments) : 0 }
    /// Utilisation when every empty vector still takes one PE-row slot (the "no-skip"
    /// hardware the code's variant name describes).
    public var utilisationNoSkip: Double {
        segments + emptyVectors > 0 ? utilisationSum / Double(segments + emptyVectors) : 0
    }
    /// The code's "no-skip" number exactly as written: its `num_skips` is
    /// `num_nonzero.ne(0).sum()`, the count of *non-empty* vectors, so the denominator is
    /// segments + non-empty vectors [C] (kept for comparison with the logged CSVs).
    public var utilisationNoSkipAsCoded: Double {
        segments + nonEmptyVectors > 0 ? utilisationSum / Double(segments + nonEmptyVectors) : 0
    }

    public static func + (a: Self, b: Self) -> Self {
        var r = a
        r.segments += b.segments; r.fullSegments += b.fullSegments; r.utilisationSum += b.utilisationSum
        r.emptyVectors += b.emptyVectors; r.nonEmptyVectors += b.nonEmptyVectors; r.nonEmptyRows += b.nonEmptyRows
        r.kept += b.kept; r.entries += b.entries
        return r
    }
    public static func += (a: inout Self, b: Self) { a = a + b }
}

public enum PackAndSplit {
    /// The statistics of per-vector kept counts (`entries`: all mask entries they cover).
    public static func stats(vectorCounts: [Int], pes: Int, entries: Int) -> PackSplitStats {
        precondition(pes >= 1, "PackAndSplit: pes must be ≥ 1")
        var s = PackSplitStats()
        s.entries = entries
        for k in vectorCounts {
            s.kept += k
            if k == 0 { s.emptyVectors += 1; continue }
            s.nonEmptyVectors += 1
            s.segments += (k + pes - 1) / pes
            s.fullSegments += k / pes
            s.utilisationSum += Double(k) / Double(pes)
        }
        return s
    }

    /// The statistics of one mask.
    public static func stats(_ m: AttentionMask, ports: Int, pes: Int) -> PackSplitStats {
        precondition(ports >= 1, "PackAndSplit: ports must be ≥ 1")
        var counts: [Int] = []
        counts.reserveCapacity(m.n * ((m.n + ports - 1) / ports))
        var rows = 0
        for i in 0..<m.n {
            var rowKept = 0
            for c0 in stride(from: 0, to: m.n, by: ports) {
                let k = m.kept(row: i, columns: c0..<min(m.n, c0 + ports))
                counts.append(k); rowKept += k
            }
            if rowKept > 0 { rows += 1 }
        }
        var s = stats(vectorCounts: counts, pes: pes, entries: m.n * m.n)
        s.nonEmptyRows = rows
        return s
    }
}
