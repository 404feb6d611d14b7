import Distill

extension DistillWorkbenchJob {
    /// nil when `text` is allowed for the live setting `name`, else a one-line reason
    /// (the job validates again when it applies the change).
    public static func validate(_ name: String, _ text: String) -> String? {
        var s = DistillSettings(DistillConfig())
        do { try s.set(name, text); return nil } catch { return "\(error)" }
    }
}
