/// Upper bounds of the numeric options of the training engines, from memory and time:
/// beyond them a run could not finish (or its step counters and schedules would overflow),
/// so they are refused up front with one line instead of trapping or exhausting memory.
public enum OptionBounds {
    /// Epochs of a run: a million epochs of the smallest data set is already years of compute,
    /// and epochs × steps per epoch stays far inside `Int`.
    public static let epochs = 1_000_000
    /// Warm-up epochs (as `epochs`; the warm-up in steps is converted to an integer).
    public static let warmupEpochs: Float = 1_000_000
    /// Images held out for testing (more than any sample data set holds).
    public static let testCount = 10_000_000
    /// Steps between checkpoints.
    public static let checkpointEvery = 1_000_000_000
    /// Widths of a hidden layer.
    public static let layerWidth = 65_536
    /// Trainable parameters of a model: 4 bytes each for the weights, and as much again for
    /// the gradients and each of the optimiser's two moments — 1e9 parameters need 16 GB.
    public static let parameters = 1_000_000_000

    /// "needs 12 TB"-style size of `parameters` float32 values with gradients and two moments.
    public static func memoryText(parameters: Double) -> String {
        let bytes = parameters * 16
        let units: [(Double, String)] = [(1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (scale, unit) in units where bytes >= scale {
            return bytes / scale >= 1e6 ? "needs more than 1000000 \(unit)" : "needs \(Int((bytes / scale).rounded(.up))) \(unit)"
        }
        return "needs \(Int(bytes)) bytes"
    }
}
