/// What "epoch" means wherever Retort shows or records a run's position: the epochs
/// completed. The `epoch` column of metrics.csv (the epoch that row finished), steps.csv and
/// hparams.csv (epochs completed before that step), the TUI header, the Distill tab and the
/// line printed when the TUI quits all count this way.
public enum EpochCount {
    /// "2/10 epochs done".
    public static func text(completed: Int, total: Int) -> String { "\(completed)/\(total) epochs done" }
    /// "2/10 epochs", where the width is scarce (the TUI header).
    public static func short(completed: Int, total: Int) -> String { "\(completed)/\(total) epochs" }
}
