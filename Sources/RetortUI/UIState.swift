import Workbench

public enum Tab: Int, CaseIterable, Sendable {
    case training, distill, attention, accelerator, runs
    public var title: String {
        switch self {
        case .training: return "Training"
        case .distill: return "Distill"
        case .attention: return "Attention"
        case .accelerator: return "Accelerator"
        case .runs: return "Runs"
        }
    }
}

/// What the UI asks of the outside world after handling a key.
public enum UIEffect: Equatable, Sendable {
    case command(JobCommand)
    case theme(String)
    /// Runs tab: scan, open, overlay or delete run folders.
    case runs(RunsRequest)
    case quit
    /// Deliberate crash for the terminal-restore test (only with RETORT_ALLOW_CRASH=1).
    case crash
}

/// Everything the UI remembers between frames (the job's state lives in snapshots).
public struct UIState: Sendable {
    public var tab: Tab = .training
    /// The session has a training run (false: the Training tab says none and ignores run keys).
    public var hasTrainingRun = true
    public var showHelp = false
    /// First line of the help shown (↑↓ PgUp PgDn scroll it; clamped when drawn).
    public var helpScroll = 0
    /// Text of the `:` command line while it is open.
    public var commandLine: String? = nil
    public var history: [String] = []
    public var historyIndex: Int? = nil
    /// What Tab on the command line could complete to, when several words fit (shown after it).
    public var candidates: [String] = []
    /// Selected row of the front tab's settings panel (each tab keeps its own) and the text
    /// being typed into it.
    public var selectedField: Int {
        get { perTab[tab]?.selectedField ?? 0 }
        set { perTab[tab, default: TabInput()].selectedField = newValue }
    }
    public var editBuffer: String? = nil
    public var message: (text: String, error: Bool)? = nil
    public var logLoss = false
    /// Charts show the last 1/2^zoom of the run (0 = everything).
    public var zoom = 0
    /// The Training charts' cursor (`<` `>`): its position in `ChartCursor.positions`
    /// steps across the charts' x range (nil: off).
    public var chartCursor: Int? = nil
    /// What the Accelerator tab shows under the heatmap (`c` cycles).
    public var acceleratorView: AcceleratorView = .gantt
    /// The front tab's earlier values for `u` (undo): (name, value as text). Each tab keeps
    /// its own list, so `u` only replays changes on the job they were made on.
    public var undo: [(String, String)] {
        get { perTab[tab]?.undo ?? [] }
        set { perTab[tab, default: TabInput()].undo = newValue }
    }
    /// The front tab's values sent but not yet in its job's snapshot (see `PendingValue`).
    public var pending: [String: PendingValue] {
        get { perTab[tab]?.pending ?? [:] }
        set { perTab[tab, default: TabInput()].pending = newValue }
    }
    /// What each tab remembers of its own input.
    public var perTab: [Tab: TabInput] = [:]
    public var themeNames: [String] = []
    /// The Runs tab (list, marks, opened run or overlay, pending delete).
    public var runs = RunsTabState()
    public init() {}
}

/// The Accelerator tab's lower panel: the current layer's Gantt chart, the cycles per
/// layer, or the per-unit table.
public enum AcceleratorView: Int, Sendable, CaseIterable {
    case gantt, layers, units
    public var next: AcceleratorView { AcceleratorView(rawValue: (rawValue + 1) % Self.allCases.count)! }
    var title: String { ["pipeline Gantt of the current layer", "cycles per layer", "units: utilisation, mapping, energy"][rawValue] }
}

/// One tab's input state: its panel cursor, undo list and values not yet applied.
public struct TabInput: Sendable {
    public var selectedField = 0
    public var undo: [(String, String)] = []
    public var pending: [String: PendingValue] = [:]
    public init() {}
}
