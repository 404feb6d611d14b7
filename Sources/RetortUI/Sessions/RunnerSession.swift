import RunKit
import Workbench

/// What a tab reads from its job's snapshot, the same for every engine.
protocol SessionSnapshot: Sendable {
    /// The settings panel's rows.
    var panelRows: [SettingRow] { get }
    var state: JobState { get }
    var messages: [JobMessage] { get }
    /// What happened while the run is diverged (nil: it is not, or cannot diverge).
    var divergedText: String? { get }
    /// What `:` completes after the tab's own commands.
    var completionWords: [String: [String]] { get }
    /// Where a frame keeps this snapshot.
    static var frame: WritableKeyPath<FrameSnapshots, Self?> { get }
}

/// A tab session driving one job runner: the parts every engine's session shares.
protocol RunnerSession: TabSession {
    associatedtype Job: SteppableJob where Job.Snapshot: SessionSnapshot
    var runner: JobRunner<Job> { get }
    var cursor: MessageCursor { get set }
}

extension RunnerSession {
    var observedFromBehind: Bool { false }

    func controls() -> SessionControls {
        let s = runner.snapshot
        return SessionControls(rows: s.panelRows, jobState: s.state, diverged: s.divergedText != nil, words: s.completionWords)
    }

    func send(_ command: JobCommand) { runner.send(command) }

    func observe(into frame: inout FrameSnapshots) -> (text: String, error: Bool)? {
        let s = runner.snapshot
        frame[keyPath: Job.Snapshot.frame] = s
        guard let m = cursor.next(s.messages), !m.text.isEmpty else { return nil }
        return (m.text, m.level == .error || m.text == s.divergedText)
    }

    func stop() { runner.send(.stop) }
}

extension SessionSnapshot {
    var completionWords: [String: [String]] { [:] }
}

extension TrainingSnapshot: SessionSnapshot {
    var panelRows: [SettingRow] { hyper }
    var divergedText: String? { diverged }
    static var frame: WritableKeyPath<FrameSnapshots, TrainingSnapshot?> { \.training }
}

extension DistillSnapshot: SessionSnapshot {
    var panelRows: [SettingRow] { settings }
    var divergedText: String? { diverged }
    static var frame: WritableKeyPath<FrameSnapshots, DistillSnapshot?> { \.distill }
}

extension AttentionSnapshot: SessionSnapshot {
    var panelRows: [SettingRow] { settings }
    var divergedText: String? { diverged }
    static var frame: WritableKeyPath<FrameSnapshots, AttentionSnapshot?> { \.attention }
}

extension AcceleratorSnapshot: SessionSnapshot {
    var panelRows: [SettingRow] { settings }
    var divergedText: String? { nil }
    var completionWords: [String: [String]] { ["break": stages + ["clear"], "goto": ["next-event", "start", "end"]] }
    static var frame: WritableKeyPath<FrameSnapshots, AcceleratorSnapshot?> { \.accelerator }
}
