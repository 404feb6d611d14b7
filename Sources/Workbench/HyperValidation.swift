import RunKit
import TrainEngine

/// Validation of hyperparameter text for the UI (the job validates again when applying).
public enum HyperValidation {
    /// nil when `text` is acceptable for `name`, else a one-line reason.
    public static func check(_ name: String, _ text: String) -> String? {
        var h = Hyperparameters(TrainConfig())
        do { try h.set(name, text); return nil } catch { return "\(error)" }
    }
    public static var names: [String] { Hyperparameters.specs.map(\.name) }
    public static func parse(_ text: String) -> Double? { Hyperparameters.parse(text) }
}
