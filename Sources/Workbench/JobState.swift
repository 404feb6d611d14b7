/// Life cycle of an engine job run by the workbench.
public enum JobState: String, Sendable, Equatable {
    case starting, running, paused, finished, failed
}
