/// Reusable scratch memory for one thread of the attention kernels, with instrumentation.
///
/// Kernels ask for a buffer by slot and size (`take`); the memory persists across calls and
/// only grows. Every request is recorded, so a test can assert what a kernel needs per head
/// (the Taylor kernel must stay O(n·d + d²) — it never forms the n×n matrix).
final class Workspace {
    private var slots: [(ptr: UnsafeMutablePointer<Float>, capacity: Int)] = []
    /// Words requested since `beginHead`.
    private(set) var headWords = 0
    /// Largest single request and largest per-head total since `resetStats`.
    private(set) var largestBuffer = 0
    private(set) var maxHeadWords = 0

    init() {}
    deinit { for s in slots { s.ptr.deallocate() } }

    func take(_ slot: Int, _ words: Int) -> UnsafeMutablePointer<Float> {
        while slots.count <= slot { slots.append((UnsafeMutablePointer<Float>.allocate(capacity: 1), 1)) }
        if slots[slot].capacity < words {
            slots[slot].ptr.deallocate()
            slots[slot] = (UnsafeMutablePointer<Float>.allocate(capacity: words), words)
        }
        headWords += words
        largestBuffer = max(largestBuffer, words)
        return slots[slot].ptr
    }

    func resetStats() { headWords = 0; largestBuffer = 0; maxHeadWords = 0 }
    func beginHead() { headWords = 0 }
    func endHead() { maxHeadWords = max(maxHeadWords, headWords) }
}

/// What the kernels of the last forward pass asked for, per head (see `Workspace`).
public struct KernelMemory: Sendable, Equatable {
    /// The largest single scratch buffer, in Float words.
    public var largestBuffer = 0
    /// The most scratch one head used in total, in Float words.
    public var perHeadWords = 0
    public init(largestBuffer: Int = 0, perHeadWords: Int = 0) { self.largestBuffer = largestBuffer; self.perHeadWords = perHeadWords }
}
