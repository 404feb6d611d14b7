import Accelerator
import Foundation
import RetortCore
import RunKit

/// Drives an `AcceleratorSimulation` for the TUI: runs the cursor forward at a watchable
/// pace, steps by a configurable number of cycles, jumps to events, honours breakpoints,
/// and rebuilds the simulation when a hardware or workload setting changes.
public final class AcceleratorWorkbenchJob: SteppableJob {
    public private(set) var model: ViTModel
    public private(set) var attention: Accelerator.AttentionKind
    public private(set) var includeLinear: Bool
    /// Taylor step 1's centring axis (k̂_sum is computed, as the paper's hardware does).
    public private(set) var centring: KeyCentring = .tokens
    public private(set) var config: VitalityConfig
    /// Cycles per step (`n`) and per tick while running.
    public private(set) var stepCycles = 1
    public private(set) var runCycles = 200
    /// Seconds to sleep per tick while running, so a run can be watched.
    public var tickDelay = 0.02

    private var sim: AcceleratorSimulation
    private var report: AcceleratorReport
    private var other: AcceleratorReport
    /// Sanger on the same hardware (synthetic masks at the default density).
    private var sanger: AcceleratorReport
    private var timeline: UtilisationTimeline
    private var breakpoints: [(Breakpoint, String)] = []
    private var pauseRequest: String?
    private var runningTicks = false
    /// A re-simulation after a setting changed (built in slices by `continueBackgroundWork`).
    private var pending: AcceleratorResimulation?
    private var notes: [(JobMessage.Level, String)] = []
    /// Seconds of re-simulation per slice (commands are read between slices).
    public var sliceSeconds = 0.05

    public init(model: ViTModel = .deitTiny, attention: Accelerator.AttentionKind = .taylor, includeLinear: Bool = false,
                config: VitalityConfig = .defaults()) throws {
        self.model = model; self.attention = attention; self.includeLinear = includeLinear; self.config = config
        (sim, report, other, sanger, timeline) = try Self.build(model, attention, includeLinear, config)
    }

    static func build(_ m: ViTModel, _ a: Accelerator.AttentionKind, _ lin: Bool, _ c: VitalityConfig) throws
        -> (AcceleratorSimulation, AcceleratorReport, AcceleratorReport, AcceleratorReport, UtilisationTimeline) {
        let s = Settings(model: m, attention: a, includeLinear: lin, config: c, stepCycles: 1, runCycles: 1)
        let r = AcceleratorResimulation(settings: s, change: "")
        while true { if let b = try r.work(seconds: 1) { return (b.sim, b.report, b.other, b.sanger, b.timeline) } }
    }

    public var isFinished: Bool { false }     // the simulation stays open for inspection
    public var progress: Int { sim.cycle }

    public func advance() throws {
        let n = runningTicks ? runCycles : stepCycles
        let before = sim.cycle
        guard before < report.totalCycles else {
            pauseRequest = "end of simulation at cycle \(report.totalCycles)"
            return
        }
        sim.step(n)
        if !breakpoints.isEmpty {
            // the first matching task transition in (before, cycle]
            for t in sim.transitions where t.cycle > before && t.cycle <= sim.cycle {
                let info = sim.task(t.task)
                if let (_, label) = breakpoints.first(where: { $0.0.matches(info, isStart: t.isStart) }) {
                    sim.run(to: t.cycle)
                    pauseRequest = "breakpoint \(label): \(info.stage.rawValue) L\(info.layer)\(info.head.map { " H\($0)" } ?? "") \(t.isStart ? "starts" : "ends") at cycle \(t.cycle)"
                    break
                }
            }
        }
        if sim.cycle >= report.totalCycles && pauseRequest == nil { pauseRequest = "end of simulation at cycle \(report.totalCycles)" }
        if runningTicks && tickDelay > 0 { Thread.sleep(forTimeInterval: tickDelay) }
    }

    public func takePauseRequest() -> String? { defer { pauseRequest = nil }; return pauseRequest }

    public func takeNotes() -> [(JobMessage.Level, String)] { defer { notes = [] }; return notes }

    /// True while a re-simulation is pending.
    public var isResimulating: Bool { pending != nil }

    /// One slice of a pending re-simulation; when it completes the new simulation replaces the
    /// old one (whose memory is then returned to the system).
    public func continueBackgroundWork() -> Bool {
        guard let p = pending else { return false }
        do {
            guard let b = try p.work(seconds: sliceSeconds) else { return true }
            pending = nil
            let before = ProcessMemory.kib().resident
            (model, attention, includeLinear, config) = (p.settings.model, p.settings.attention, p.settings.includeLinear, p.settings.config)
            centring = p.settings.centring
            (sim, report, other, sanger, timeline) = (b.sim, b.report, b.other, b.sanger, b.timeline)
            releaseFreedMemory()
            let after = ProcessMemory.kib().resident
            notes.append((.info, "\(p.change): re-simulated, \(report.totalCycles) cycles" + Self.memoryNote(before, after)))
        } catch {
            pending = nil
            releaseFreedMemory()
            notes.append((.error, "\(p.change): \(error); keeping the previous simulation"))
        }
        return true
    }

    static func memoryNote(_ before: Double, _ after: Double) -> String {
        guard before.isFinite, after.isFinite else { return "" }
        return String(format: " (resident memory %.0f → %.0f MiB)", before / 1024, after / 1024)
    }


    public static let models = ViTModel.presets.map(\.name)

    /// The Sanger column of the three-way comparison.
    static func sangerFigures(_ r: AcceleratorReport) -> AcceleratorSangerFigures {
        let w = r.workload.sangerInEffect, st = w.total(layers: r.workload.layerCount, heads: r.workload.model.heads)
        return AcceleratorSangerFigures(cycles: r.totalCycles, energyMicrojoules: r.totalEnergyPJ / 1e6,
                                        density: st.density, loadBalance: w.utilisation(st))
    }

    /// What the Accelerator tab's settings change: the workload, the hardware and the pace.
    public struct Settings: Sendable, Equatable {
        public var model: ViTModel
        public var attention: Accelerator.AttentionKind
        public var includeLinear: Bool
        public var config: VitalityConfig
        public var stepCycles: Int
        public var runCycles: Int
        public var centring: KeyCentring = .tokens
    }

    /// The live settings; all but `step` and `speed` re-simulate.
    public static let settings = LiveSettings<Settings>([
        .words("attention", ["taylor", "softmax"], help: "attention on the accelerator (re-simulates)",
               get: { $0.attention.rawValue }, set: { $0.attention = Accelerator.AttentionKind(rawValue: $1)! }),
        .words("model", models, help: "workload (re-simulates)", get: { $0.model.name }, set: { $0.model = ViTModel.preset($1)! }),
        .words("linear", ["off", "on"], help: "also simulate QKV/proj/MLP layers",
               get: { $0.includeLinear ? "on" : "off" }, set: { $0.includeLinear = $1 == "on" }),
        .words("centring", KeyCentring.allCases.map(\.rawValue), help: "Taylor step 1: K centred over the tokens or the head dimension (re-simulates)",
               get: { $0.centring.rawValue }, set: { $0.centring = KeyCentring(rawValue: $1)! }),
        .number("step", .number(min: 1, max: 1_000_000, integer: true, logScale: true), help: "cycles per single step (n)",
                get: { Double($0.stepCycles) }, set: { $0.stepCycles = Int($1) }),
        .number("speed", .number(min: 1, max: 1_000_000, integer: true, logScale: true), help: "cycles per tick while running",
                get: { Double($0.runCycles) }, set: { $0.runCycles = Int($1) }),
        .number("sa", .number(min: 4, max: 256, integer: true, logScale: true), help: "SA-General rows = columns (re-simulates)",
                get: { Double($0.config.hardware.saRows) },
                set: { let n = Int($1); $0.config.hardware.saRows = n; $0.config.hardware.saCols = n; $0.config.hardware.saDiagRows = n }),
        .number("lanes", .number(min: 1, max: 512, integer: true, logScale: true), help: "accumulator/adder/divider lanes (re-simulates)",
                get: { Double($0.config.hardware.accumulatorLanes) },
                set: { let l = Int($1); $0.config.hardware.accumulatorLanes = l; $0.config.hardware.adderLanes = l; $0.config.hardware.dividerLanes = l }),
        .number("chunks", .number(min: 1, max: 8, integer: true, logScale: false), help: "chunks (re-simulates)",
                get: { Double($0.config.hardware.chunks) }, set: { $0.config.hardware.chunks = Int($1) }),
        .number("dram_gb_per_s", .number(min: 0.1, max: 2000, logScale: true), help: "DRAM bandwidth (re-simulates)",
                get: { $0.config.hardware.dramGBPerSecond }, set: { $0.config.hardware.dramGBPerSecond = $1 }),
    ])

    /// The settings now: those being re-simulated when a re-simulation is pending.
    public var current: Settings {
        guard let p = pending else { return simulated }
        var s = p.settings
        s.stepCycles = stepCycles; s.runCycles = runCycles
        return s
    }

    /// The settings of the simulation shown.
    public var simulated: Settings {
        Settings(model: model, attention: attention, includeLinear: includeLinear, config: config, stepCycles: stepCycles, runCycles: runCycles,
                 centring: centring)
    }

    func cancel() -> String {
        guard let p = pending else { return "nothing to cancel: no re-simulation is running" }
        pending = nil
        releaseFreedMemory()
        return "\(p.change): re-simulation cancelled; the simulation shown is unchanged"
    }

    /// The settings as the panel shows them.
    public var settings: [SettingRow] { Self.settings.rows(of: current) }

    public func handle(_ command: JobCommand) throws -> String {
        switch command {
        case .set(let name, let value):
            switch name {
            case "goto": return try goto(value)
            // The runner calls `advance` for single steps and while running; the UI says which
            // before it sends .step or .resume (so `n` moves `step` cycles, a run `speed` per tick).
            case "mode": runningTicks = value == "run"; return ""
            case "break": return try addBreakpoint(value)
            case "cancel": return cancel()
            case "export": return try exportTimeline(to: value)
            default: break
            }
            guard Self.settings[name] != nil else {
                throw JobFailure("unknown setting '\(name)': one of \(Self.settings.names.joined(separator: ", ")), goto, break")
            }
            var s = current
            try Self.settings.apply(name, value, to: &s)
            switch name {
            case "step": stepCycles = s.stepCycles; return "step = \(stepCycles) cycles"
            case "speed": runCycles = s.runCycles; return "speed = \(runCycles) cycles per tick"
            default: break
            }
            // a newer setting supersedes a pending re-simulation (its settings carry over)
            let superseded = pending != nil
            pending = nil
            releaseFreedMemory()
            if s == simulated {
                return "\(name) = \(value): back to the simulated settings" + (superseded ? " (re-simulation dropped)" : "")
            }
            pending = AcceleratorResimulation(settings: s, change: "\(name) = \(value)")
            return "\(name) = \(value): re-simulating" + (superseded ? " (replaces the pending one)" : "") + "… (Esc or :cancel cancels)"
        case .save:
            return "nothing to save: use `retort sim vitality --timeline FILE` for reports"
        default:
            return ""
        }
    }

    func goto(_ v: String) throws -> String {
        switch v {
        case "next-event", "event":
            let tr = sim.runToNextEvent()
            guard let t = tr.first else { return "no further events" }
            let info = sim.task(t.task)
            return "cycle \(sim.cycle): \(tr.count) transition(s), e.g. \(info.stage.rawValue) L\(info.layer)\(info.head.map { " H\($0)" } ?? "") \(t.isStart ? "starts" : "ends")"
        case "end": sim.runToEnd(); return "cycle \(sim.cycle) (end)"
        case "start": sim.run(to: 0); return "cycle 0"
        default:
            guard let c = Int(v), c >= 0 else { throw JobFailure("goto: give a cycle (0…\(report.totalCycles)), next-event, start or end; got '\(v)'") }
            sim.run(to: c); return "cycle \(sim.cycle)"
        }
    }

    /// Writes the shown simulation's utilisation timeline as `retort sim vitality --attention
    /// <shown> --timeline FILE` does (200 buckets), atomically.
    func exportTimeline(to path: String) throws -> String {
        guard !path.isEmpty else { throw JobFailure("export: give a file name, e.g. :export timeline.csv") }
        let buckets = 200
        let w = max(1, (report.totalCycles + buckets - 1) / buckets)
        let tl = try sim.timeline(bucketCycles: w)
        let lines = tl.csvRows(label: attention.rawValue)
        let text = ([UtilisationTimeline.csvHeader(units: tl.units)] + lines).joined(separator: "\n") + "\n"
        do { try AtomicFile.write(text, to: URL(fileURLWithPath: path)) } catch { throw JobFailure("export: \(path): \(error)") }
        return "wrote \(path) (\(lines.count) rows, \(w) cycles per bucket; busy fraction per unit)"
    }

    /// `break STAGE[@H<head>][@L<layer>]`, `break clear`.
    func addBreakpoint(_ v: String) throws -> String {
        if v == "clear" { breakpoints.removeAll(); return "breakpoints cleared" }
        let parts = v.split(separator: "@").map(String.init)
        guard let stage = Stage(rawValue: parts[0]) else {
            throw JobFailure("break: unknown stage '\(parts[0])': one of \(Stage.allCases.map(\.rawValue).joined(separator: ", ")), or clear")
        }
        var b = Breakpoint(stage: stage)
        for p in parts.dropFirst() {
            if p.hasPrefix("H"), let h = Int(p.dropFirst()) {
                guard (0..<model.heads).contains(h) else {
                    throw JobFailure("break: head \(p) out of range: \(model.name) has heads H0…H\(model.heads - 1)")
                }
                b.head = h
            } else if p.hasPrefix("L"), let l = Int(p.dropFirst()) {
                guard (0..<model.layers).contains(l) else {
                    throw JobFailure("break: layer \(p) out of range: \(model.name) has layers L0…L\(model.layers - 1)")
                }
                b.layer = l
            } else { throw JobFailure("break: '\(p)' is not H<head> or L<layer>") }
        }
        breakpoints.append((b, v))
        return "breakpoint \(v) set (\(breakpoints.count) active)"
    }

    public func snapshot(state: JobState, messages: [JobMessage], elapsed: Double) -> AcceleratorSnapshot {
        let c = sim.cycle
        let unitReports = Dictionary(uniqueKeysWithValues: report.units.map { ($0.unit, $0.utilisation) })
        let rows = sim.units.map { u -> AcceleratorUnitRow in
            let s = sim.unitSnapshot(u, at: c)
            let st: String
            switch s.state {
            case .idle: st = "idle"
            case .busy: st = "busy"
            case .stallDependency: st = "stall-dep"
            case .stallBandwidth: st = "stall-bw"
            default: st = "stall-buf"
            }
            let act = s.task.map { t in
                "\(t.stage.rawValue) L\(t.layer)\(t.head.map { " H\($0)" } ?? "")" + (s.progress.map { String(format: " %.0f%%", 100 * $0) } ?? "")
            } ?? ""
            return AcceleratorUnitRow(name: u.description, state: st, activity: act, utilisation: unitReports[u] ?? 0)
        }
        // the layer at the cursor: the layer of any busy task, else of the next task to start
        let busyLayer = rows.indices.compactMap { sim.unitSnapshot(sim.units[$0], at: c).task?.layer }.first
        let layer = busyLayer ?? lastLayer(atOrBefore: c)
        var bars: [GanttBar] = []
        var spans: [Int: (Int, Int)] = [:]
        for id in 0..<sim.graph.tasks.count {
            let t = sim.task(id)
            if let s = t.start, let e = t.end { spans[t.layer] = spans[t.layer].map { (min($0.0, s), max($0.1, e)) } ?? (s, e) }
            guard t.layer == layer, let s = t.start, let e = t.end, !t.stage.isTransfer else { continue }
            bars.append(GanttBar(row: t.head.map { "H\($0)" } ?? "layer", stage: t.stage.rawValue, start: s, end: e))
        }
        let lo = bars.map(\.start).min() ?? 0, hi = max(lo + 1, bars.map(\.end).max() ?? 1)
        return AcceleratorSnapshot(
            state: state, model: model.name, attention: attention.rawValue, includeLinear: includeLinear,
            cycle: c, totalCycles: report.totalCycles, clockMHz: report.clockMHz, layer: layer,
            units: rows, pe: Self.peArray(sim.peActivity(chunk: 0, at: c)), busyPEs: sim.busyPEs(chunk: 0, at: c),
            buffers: sim.bufferOccupancy(at: c).map(Self.bufferRow),
            timelineUnits: timeline.units.map(\.description), timeline: timeline.busy, bucketCycles: timeline.bucketCycles,
            gantt: bars, ganttRange: lo...hi,
            energyMicrojoules: report.totalEnergyPJ / 1e6,
            otherAttention: attention == .taylor ? "softmax" : "taylor", otherCycles: other.totalCycles,
            otherEnergyMicrojoules: other.totalEnergyPJ / 1e6,
            breakpoints: breakpoints.map(\.1), resimulating: pending?.change, resimulationProgress: pending?.progress ?? 0,
            settings: settings, messages: messages, stages: Stage.allCases.map(\.rawValue),
            unitFigures: AcceleratorUnitFigures.of(report, hardware: config.hardware, energy: config.energy),
            sharedEnergy: report.energy.filter { $0.name == "SRAM" || $0.name == "static" }.map { ($0.name, $0.picojoules / 1e6) },
            dramReadBytes: report.ops.dramReadBytes, dramWriteBytes: report.ops.dramWriteBytes,
            layerCycles: spans.keys.sorted().map { AcceleratorLayerCycles(layer: $0, start: spans[$0]!.0, end: spans[$0]!.1) },
            sanger: Self.sangerFigures(sanger))
    }

    /// The layer of the last task to start or end at or before `c` (0 before anything started).
    func lastLayer(atOrBefore c: Int) -> Int {
        let tr = sim.transitions
        var lo = 0, hi = tr.count
        while lo < hi { let m = (lo + hi) / 2; if tr[m].cycle <= c { lo = m + 1 } else { hi = m } }
        return lo > 0 ? sim.task(tr[lo - 1].task).layer : 0
    }

    static func peArray(_ m: PEActivityMap) -> AcceleratorPEArray {
        AcceleratorPEArray(rows: m.rows, cols: m.cols, cells: m.cells.map { a -> AcceleratorPEArray.Activity in
            switch a {
            case .idle: return .idle
            case .loading: return .loading
            case .mac: return .mac
            }
        })
    }

    static func bufferRow(_ b: BufferSnapshot) -> AcceleratorBufferRow {
        AcceleratorBufferRow(name: b.buffer.rawValue, usedBytes: b.usedBytes, capacityBytes: b.capacityBytes)
    }
}
