import Foundation

/// One collapse of the student: its test accuracy fell more than the threshold below its
/// best. Accuracies in percent; epochs as completed-epoch counts (the CSVs' `epoch` column).
public struct Collapse: Codable, Sendable, Equatable {
    /// The best accuracy before the fall and the epoch it was first reached.
    public var best: Double, bestEpoch: Int
    /// The first epoch of the fall: the start of the stretch, ending at `detectedEpoch`,
    /// in which the accuracy stayed more than half the threshold below `best`.
    public var beganEpoch: Int
    /// The epoch at which the accuracy was first more than the threshold below `best`.
    public var detectedEpoch: Int
    /// The lowest accuracy of the collapse so far and its epoch.
    public var lowest: Double, lowestEpoch: Int
    /// The epoch at which the accuracy came back within half the threshold of `best` (nil: not yet).
    public var recoveredEpoch: Int?
}

/// Watches the student's test accuracy, one value per epoch, for a collapse [R: Retort's
/// diagnostic, not the paper's]: a fall of more than `threshold` points below the best so far.
/// A collapse ends when the accuracy comes back within `threshold`/2 of that best; a later
/// fall is a new collapse. Also keeps the largest drop below the running best, so a run that
/// never collapses still says how far it fell (`maxDrop`).
public struct CollapseDetector: Codable, Sendable, Equatable {
    /// Points below the best that count as a collapse.
    public var threshold: Double
    public private(set) var best = -Double.infinity
    public private(set) var bestEpoch = 0
    public private(set) var last = Double.nan
    public private(set) var lastEpoch = 0
    /// The largest drop (points) below the running best, and the epoch it happened.
    public private(set) var maxDrop = 0.0
    public private(set) var maxDropEpoch = 0
    /// Every collapse so far, oldest first; the last one may be ongoing.
    public private(set) var collapses: [Collapse] = []
    /// First epoch of the current stretch more than `threshold`/2 below the best (nil: none).
    private var lowStretchStart: Int?

    public init(threshold: Double) { self.threshold = threshold }

    /// The collapse in progress (nil: none).
    public var ongoing: Collapse? { collapses.last.flatMap { $0.recoveredEpoch == nil ? $0 : nil } }
    /// Points the latest accuracy is below the best.
    public var currentDrop: Double { last.isFinite && best.isFinite ? best - last : .nan }

    /// What one observation changed.
    public enum Event: Sendable, Equatable {
        case collapsed(Collapse)
        case recovered(Collapse)
    }

    /// Takes the accuracy (percent) after `epoch`; returns the start or end of a collapse.
    /// A non-finite accuracy is ignored.
    @discardableResult
    public mutating func observe(epoch: Int, accuracy a: Double) -> Event? {
        guard a.isFinite else { return nil }
        last = a; lastEpoch = epoch
        if a > best {
            best = a; bestEpoch = epoch
            lowStretchStart = nil
        }
        let drop = best - a
        if drop > maxDrop { maxDrop = drop; maxDropEpoch = epoch }
        if drop > threshold / 2 { lowStretchStart = lowStretchStart ?? epoch } else { lowStretchStart = nil }
        if var c = ongoing {
            if a < c.lowest { c.lowest = a; c.lowestEpoch = epoch }
            if drop <= threshold / 2 { c.recoveredEpoch = epoch }
            collapses[collapses.count - 1] = c
            return c.recoveredEpoch == nil ? nil : .recovered(c)
        }
        guard drop > threshold else { return nil }
        let c = Collapse(best: best, bestEpoch: bestEpoch, beganEpoch: lowStretchStart ?? epoch, detectedEpoch: epoch,
                         lowest: a, lowestEpoch: epoch, recoveredEpoch: nil)
        collapses.append(c)
        return .collapsed(c)
    }

    /// One line for the event log and the TUI's message line.
    public static func describe(_ c: Collapse, threshold: Double) -> String {
        var s = String(format: "student collapse: test accuracy fell from its best %.2f%% (epoch %d) to %.2f%% at epoch %d; the fall began at epoch %d (threshold %@ points)",
                       c.best, c.bestEpoch, c.lowest, c.detectedEpoch, c.beganEpoch, Self.format(threshold))
        if let r = c.recoveredEpoch { s += String(format: "; back within %@ points at epoch %d (lowest %.2f%% at epoch %d)", Self.format(threshold / 2), r, c.lowest, c.lowestEpoch) }
        return s
    }

    /// The run's verdict for the final summary line.
    public var verdict: String {
        guard best.isFinite else { return "no test accuracy yet" }
        let head = String(format: "student best %.2f%% at epoch %d, final %.2f%% (%.2f below), largest drop %.2f points (epoch %d)",
                          best, bestEpoch, last, best - last, maxDrop, maxDropEpoch)
        guard let c = collapses.last else { return head + "; no collapse (threshold \(Self.format(threshold)) points)" }
        let n = collapses.count > 1 ? " (\(collapses.count) collapses; the last:)" : ""
        let state = c.recoveredEpoch.map { "recovered at epoch \($0)" } ?? "not recovered"
        return head + String(format: "; COLLAPSE%@ from %.2f%% (epoch %d), began at epoch %d, detected at epoch %d, lowest %.2f%% (epoch %d), %@",
                             n, c.best, c.bestEpoch, c.beganEpoch, c.detectedEpoch, c.lowest, c.lowestEpoch, state)
    }

    static func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%g", v) }
}
