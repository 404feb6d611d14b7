import RunKit
import Workbench

/// One tab's engine in a TUI session: the UI loop asks every tab the same things (no
/// per-engine branches) — what the key controller needs, where commands go, the newest
/// message and snapshot of a frame, and how the session ends.
protocol TabSession: AnyObject {
    /// The tab's own keys for the help overlay (`KeyHelp.entries(for:)` adds the common ones).
    static var keys: [(String, String)] { get }
    var tab: Tab { get }
    /// Its messages are picked up and its snapshot drawn even while another tab is in front
    /// (the training run: the header shows it).
    var observedFromBehind: Bool { get }
    /// The front tab's settings panel, its job's state and whether its run has diverged.
    func controls() -> SessionControls
    func send(_ command: JobCommand)
    /// Puts a fresh snapshot into `frame`; returns its newest message if not shown yet.
    func observe(into frame: inout FrameSnapshots) -> (text: String, error: Bool)?
    /// Run folders the session is writing (the Runs tab shows them as running).
    var activeRunFolders: [String] { get }
    func stop()
    /// After `stop`: waits for the job and returns where its run stopped and its checkpoint
    /// there (the lines printed once the terminal is restored).
    func finish() -> [String]
}

/// What the key controller needs of the tab in front.
struct SessionControls {
    var rows: [SettingRow]
    var jobState: JobState
    var diverged: Bool
    /// What `:` completes after the tab's own commands (e.g. `break` → stage names).
    var words: [String: [String]] = [:]
}

/// The snapshots one frame is drawn from.
struct FrameSnapshots {
    var training: TrainingSnapshot?
    var distill: DistillSnapshot?
    var attention: AttentionSnapshot?
    var accelerator: AcceleratorSnapshot?
}

/// The newest message of a job not shown yet (each session counts what it has shown).
struct MessageCursor {
    private var shown = 0
    mutating func next(_ messages: [JobMessage]) -> JobMessage? {
        guard messages.count != shown, let m = messages.last else { return nil }
        shown = messages.count
        return m
    }
}
