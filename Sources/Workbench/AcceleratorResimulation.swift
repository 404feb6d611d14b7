import Accelerator
import Dispatch

/// A re-simulation after a setting changed, built a slice at a time on the job's thread so
/// the runner still reads commands in between: a newer setting or `cancel` simply drops it.
/// Phases: schedule the shown attention, then the other one (for the comparison), then
/// Sanger on the same hardware (the three-way comparison), then summarise.
final class AcceleratorResimulation {
    typealias Built = (sim: AcceleratorSimulation, report: AcceleratorReport, other: AcceleratorReport, sanger: AcceleratorReport,
                       timeline: UtilisationTimeline)

    let settings: AcceleratorWorkbenchJob.Settings
    /// What changed, e.g. "linear = on" (for the messages and the busy indicator).
    let change: String
    private var sim: AcceleratorSimulation?
    private var other: AcceleratorSimulation?
    private var otherReport: AcceleratorReport?
    private var sanger: AcceleratorSimulation?
    private var sangerReport: AcceleratorReport?

    init(settings: AcceleratorWorkbenchJob.Settings, change: String) {
        self.settings = settings; self.change = change
    }

    /// 0…1: the shown attention's schedule is the first third, the other's the second,
    /// Sanger's the last.
    var progress: Double {
        if sangerReport != nil { return 1 }
        if let sanger { return (2 + sanger.scheduledFraction) / 3 }
        if otherReport != nil { return 2.0 / 3 }
        if let other { return (1 + other.scheduledFraction) / 3 }
        return (sim?.scheduledFraction ?? 0) / 3
    }

    static func simulation(_ s: AcceleratorWorkbenchJob.Settings, _ a: Accelerator.AttentionKind) -> AcceleratorSimulation {
        AcceleratorSimulation(workload: AcceleratorWorkload(model: s.model, attention: a, includeLinear: s.includeLinear,
                                                       taylor: TaylorVariant(centring: s.centring)), config: s.config)
    }

    /// Works for about `seconds`; returns the finished simulation once done (nil: more to do).
    /// Throws when the scheduler deadlocks.
    func work(seconds: Double) throws -> Built? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        func timeLeft() -> Bool { DispatchTime.now().uptimeNanoseconds < deadline }
        repeat {
            if sim == nil { sim = Self.simulation(settings, settings.attention); continue }
            if let s = sim, other == nil, otherReport == nil {
                if try s.prepare(events: 256) { other = Self.simulation(settings, settings.attention == .taylor ? .softmax : .taylor) }
                continue
            }
            if let o = other {
                if try o.prepare(events: 256) { otherReport = try o.report(); other = nil; sanger = Self.simulation(settings, .sanger) }
                continue
            }
            if let g = sanger {
                if try g.prepare(events: 256) { sangerReport = try g.report(); sanger = nil }
                continue
            }
            guard let s = sim, let otherReport, let sangerReport else { return nil }
            let report = try s.report()
            let timeline = try s.timeline(bucketCycles: max(1, report.totalCycles / 400))
            sim = nil
            return (s, report, otherReport, sangerReport, timeline)
        } while timeLeft()
        return nil
    }
}
