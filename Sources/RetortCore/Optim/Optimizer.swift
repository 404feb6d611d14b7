/// Common interface of Retort's optimisers (SGD, AdamW).
/// `step()` reads each parameter's current `grad` buffer (every element of it) and
/// updates `value` in place; `zeroGrad()` clears those buffers.
public protocol Optimizer: AnyObject {
    var lr: Float { get set }
    func step()
    func zeroGrad()
}
