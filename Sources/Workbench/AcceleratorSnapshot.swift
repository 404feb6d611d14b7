import Accelerator

/// One unit's row in the Accelerator tab: what it does at the cursor.
public struct AcceleratorUnitRow: Sendable, Equatable {
    public let name: String
    public let state: String          // idle, busy, stall-dep, stall-bw, stall-buf
    public let activity: String       // e.g. "q-g L0 H2 (41%)" or ""
    public let utilisation: Double    // over the whole run
}

/// A bar of the pipeline Gantt chart: one task of the current layer.
public struct GanttBar: Sendable, Equatable {
    public let row: String            // "H0", "H1", … or "layer"
    public let stage: String
    public let start: Int, end: Int
}

/// Immutable view of the accelerator simulation at the cursor.
public struct AcceleratorSnapshot: Sendable {
    public var state: JobState
    public var model: String
    public var attention: String
    public var includeLinear: Bool
    public var cycle: Int
    public var totalCycles: Int
    public var clockMHz: Double
    public var layer: Int
    public var units: [AcceleratorUnitRow]
    public var pe: PEActivityMap
    public var busyPEs: Int
    public var buffers: [BufferSnapshot]
    /// Unit × time utilisation (rows = `timelineUnits`, columns = buckets of `bucketCycles`).
    public var timelineUnits: [String]
    public var timeline: [[Double]]
    public var bucketCycles: Int
    public var gantt: [GanttBar]
    public var ganttRange: ClosedRange<Int>
    public var energyMicrojoules: Double
    public var otherAttention: String
    public var otherCycles: Int
    public var otherEnergyMicrojoules: Double
    public var breakpoints: [String]
    public var settings: [SettingField]
    public var messages: [JobMessage]
}

/// A live-editable setting of a non-training engine: a number in a range or a word from a list.
public struct SettingField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case number(min: Double, max: Double, integer: Bool, logScale: Bool), choice([String]) }
    public let name: String
    public let value: String
    public let kind: Kind
    public let help: String
    public init(name: String, value: String, kind: Kind, help: String) { self.name = name; self.value = value; self.kind = kind; self.help = help }
    public var allowed: String {
        switch kind {
        case .choice(let w): return w.joined(separator: ", ")
        case .number(let lo, let hi, let integer, _):
            return integer ? "\(Int(lo))…\(Int(hi))" : "[\(lo.formatted()), \(hi.formatted())]"
        }
    }
    /// nil when `text` is allowed.
    public func check(_ text: String) -> String? {
        switch kind {
        case .choice(let w): return w.contains(text) ? nil : "\(name): must be one of \(w.joined(separator: ", ")), got '\(text)'"
        case .number(let lo, let hi, let integer, _):
            guard let v = Double(text), v.isFinite else { return "\(name): '\(text)' is not a number" }
            if integer && v != v.rounded() { return "\(name): must be a whole number, got \(text)" }
            return v >= lo && v <= hi ? nil : "\(name): must be in \(allowed), got \(text)"
        }
    }
}

private extension Double {
    func formatted() -> String { self == rounded() && abs(self) < 1e9 ? String(Int(self)) : String(self) }
}
