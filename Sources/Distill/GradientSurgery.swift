import Foundation
import RetortCore

/// Where the student's (shared) elements lie in each parameter tensor: the first-k box
/// `[0..<e0, 0..<e1, …]` of a tensor allocated at the teacher's maximum width, stored as
/// contiguous runs of flat indices.
public struct SharedLayout: Sendable, Equatable {
    public let names: [String]
    public let shapes: [[Int]]
    /// The student's extent in every dimension of every tensor.
    public let extents: [[Int]]
    /// Contiguous flat-index ranges covering the box, per tensor.
    public let runs: [[Range<Int>]]

    public init(names: [String], shapes: [[Int]], extents: [[Int]]) {
        precondition(names.count == shapes.count && shapes.count == extents.count, "SharedLayout: counts differ")
        for (s, e) in zip(shapes, extents) {
            precondition(s.count == e.count && zip(s, e).allSatisfy { $1 >= 0 && $1 <= $0 }, "SharedLayout: extent \(e) outside shape \(s)")
        }
        self.names = names; self.shapes = shapes; self.extents = extents
        runs = zip(shapes, extents).map { Self.boxRuns(shape: $0, extent: $1) }
    }

    public var count: Int { names.count }
    /// Shared elements of tensor `i`.
    public func sharedCount(_ i: Int) -> Int { extents[i].reduce(1, *) }
    public var totalShared: Int { (0..<count).reduce(0) { $0 + sharedCount($1) } }
    public var totalElements: Int { shapes.reduce(0) { $0 + $1.reduce(1, *) } }

    /// Whether flat index `index` of tensor `i` is a shared element.
    public func contains(tensor i: Int, index: Int) -> Bool {
        var rem = index
        let s = shapes[i], e = extents[i]
        var strides = [Int](repeating: 1, count: s.count)
        for d in stride(from: s.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * s[d + 1] }
        for d in 0..<s.count {
            let k = rem / strides[d]; rem %= strides[d]
            if k >= e[d] { return false }
        }
        return true
    }

    static func boxRuns(shape s: [Int], extent e: [Int]) -> [Range<Int>] {
        if s.isEmpty { return [0..<1] }
        if e.contains(0) { return [] }
        var strides = [Int](repeating: 1, count: s.count)
        for d in stride(from: s.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * s[d + 1] }
        // The innermost dimension that is cut: everything inside it is one contiguous run.
        guard let cut = (0..<s.count).last(where: { e[$0] != s[$0] }) else { return [0..<s.reduce(1, *)] }
        let runLength = e[cut] * strides[cut]
        var out: [Range<Int>] = []
        var index = [Int](repeating: 0, count: cut)
        while true {
            var off = 0
            for d in 0..<cut { off += index[d] * strides[d] }
            out.append(off..<(off + runLength))
            var d = cut - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < e[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
        return out
    }
}

/// ⟨g_s, g_t⟩ and the squared norms on the shared elements, accumulated in Double.
public struct GradientAlignment: Sendable, Equatable {
    public var dot: Double = 0
    /// ‖g_s‖² (the student's gradient is zero outside the shared elements).
    public var studentNorm2: Double = 0
    /// ‖g_t restricted to the shared elements‖².
    public var teacherNorm2: Double = 0
    public init(dot: Double = 0, studentNorm2: Double = 0, teacherNorm2: Double = 0) {
        self.dot = dot; self.studentNorm2 = studentNorm2; self.teacherNorm2 = teacherNorm2
    }
    /// Below this norm a gradient on the shared elements has no direction (rounding noise,
    /// dead units): its cosine is 0 and it never conflicts. PyTorch's `cosine_similarity`
    /// uses the same 1e-8 as its floor.
    public static let negligibleNorm = 1e-8
    /// Both gradients have a direction on the shared elements.
    public var isDefined: Bool {
        studentNorm2.squareRoot() > Self.negligibleNorm && teacherNorm2.squareRoot() > Self.negligibleNorm
    }
    /// cos(g_s, g_t|shared); 0 when either gradient is (numerically) zero there — neither
    /// agreement nor conflict, as after `drop` removes the teacher's shared gradient (an
    /// undefined value would drop out of the averages and make `drop` look aligned).
    public var cosine: Double {
        isDefined ? dot / (studentNorm2.squareRoot() * teacherNorm2.squareRoot()) : 0
    }
    public static func + (a: Self, b: Self) -> Self {
        Self(dot: a.dot + b.dot, studentNorm2: a.studentNorm2 + b.studentNorm2, teacherNorm2: a.teacherNorm2 + b.teacherNorm2)
    }
    /// cos < τ, and both gradients have a direction (a 1e-14 gradient is no conflict at τ = 0).
    public func conflicts(threshold tau: Double) -> Bool { isDefined && cosine < tau }
}

/// What surgery saw and did in one step.
public struct SurgeryOutcome: Sendable {
    /// Before surgery: whole shared vector and per tensor.
    public var before: GradientAlignment
    public var beforePerTensor: [GradientAlignment]
    /// After surgery (equal to `before` when nothing was projected).
    public var after: GradientAlignment
    public var afterPerTensor: [GradientAlignment]
    /// cos < τ on the whole shared vector / per tensor (measured before surgery).
    public var conflict: Bool
    public var tensorConflicts: [Bool]
    /// Projections actually applied (0 or 1 for whole-vector granularity; tensors for per-tensor).
    public var projections: Int
}

/// Gradient surgery between the student's gradient g_s (zero outside the shared elements)
/// and the teacher's g_t, on the shared elements only (spec §3):
///
/// - `.symmetric` (PCGrad): on conflict g_s ← g_s − (d/‖g_t|S‖²)·g_t|S and
///   g_t ← g_t − (d/‖g_s‖²)·g_s, both from the original vectors, d = ⟨g_s, g_t⟩;
/// - `.asymmetric`: only g_t is projected onto the normal plane of g_s;
/// - `.drop`: g_t is set to zero on the shared elements;
/// - `.none`: nothing.
///
/// "Conflict" is cos(g_s, g_t|S) < τ, measured on the whole shared vector or per tensor.
/// Teacher-only elements are never changed except by `g_t − c·g_s`, which is zero there.
/// Dot products and norms are accumulated in Double; the buffers are updated in place.
public enum GradientSurgery {
    /// Per-tensor alignment of the two gradient sets on the shared elements.
    public static func measure(student: [Tensor], teacher: [Tensor], layout: SharedLayout) -> [GradientAlignment] {
        precondition(student.count == layout.count && teacher.count == layout.count, "surgery: \(student.count)/\(teacher.count) buffers for \(layout.count) tensors")
        var out = [GradientAlignment](repeating: GradientAlignment(), count: layout.count)
        for i in 0..<layout.count {
            let s = student[i].data, t = teacher[i].data
            var d = 0.0, ns = 0.0, nt = 0.0
            for r in layout.runs[i] {
                for j in r {
                    let a = Double(s[j]), b = Double(t[j])
                    d += a * b; ns += a * a; nt += b * b
                }
            }
            out[i] = GradientAlignment(dot: d, studentNorm2: ns, teacherNorm2: nt)
        }
        return out
    }

    public static func total(_ per: [GradientAlignment]) -> GradientAlignment { per.reduce(GradientAlignment(), +) }

    /// Measures, applies `mode` at `granularity` with threshold `tau`, measures again.
    @discardableResult
    public static func apply(_ mode: SurgeryMode, granularity: SurgeryGranularity, tau: Double,
                             student: [Tensor], teacher: [Tensor], layout: SharedLayout) -> SurgeryOutcome {
        let per = measure(student: student, teacher: teacher, layout: layout)
        let whole = total(per)
        let conflict = whole.conflicts(threshold: tau)
        let tensorConflicts = per.map { $0.conflicts(threshold: tau) }
        var projections = 0
        if mode != .none {
            switch granularity {
            case .whole:
                if conflict {
                    for i in 0..<layout.count { project(mode, i, whole, student, teacher, layout) }
                    projections = 1
                }
            case .perTensor:
                for i in 0..<layout.count where tensorConflicts[i] {
                    project(mode, i, per[i], student, teacher, layout)
                    projections += 1
                }
            }
        }
        let afterPer = projections > 0 ? measure(student: student, teacher: teacher, layout: layout) : per
        return SurgeryOutcome(before: whole, beforePerTensor: per, after: total(afterPer), afterPerTensor: afterPer,
                              conflict: conflict, tensorConflicts: tensorConflicts, projections: projections)
    }

    /// Applies one projection to tensor `i` with the coefficients of alignment `a`.
    private static func project(_ mode: SurgeryMode, _ i: Int, _ a: GradientAlignment,
                                _ student: [Tensor], _ teacher: [Tensor], _ layout: SharedLayout) {
        let s = student[i].data, t = teacher[i].data
        // Coefficients in Double, applied in Float.
        let cT = a.studentNorm2 > 0 ? Float(a.dot / a.studentNorm2) : 0     // g_t −= cT·g_s
        let cS = a.teacherNorm2 > 0 ? Float(a.dot / a.teacherNorm2) : 0     // g_s −= cS·g_t|S
        switch mode {
        case .none:
            return
        case .asymmetric:
            for r in layout.runs[i] { for j in r { t[j] -= cT * s[j] } }
        case .symmetric:
            for r in layout.runs[i] {
                for j in r {
                    let sv = s[j], tv = t[j]
                    s[j] = sv - cS * tv
                    t[j] = tv - cT * sv
                }
            }
        case .drop:
            for r in layout.runs[i] { for j in r { t[j] = 0 } }
        }
    }

    /// g = g_s + α·g_t, written into `into` (full-size buffers).
    public static func combine(student: [Tensor], teacher: [Tensor], alpha: Float, into out: [Tensor]) {
        for i in 0..<out.count {
            let s = student[i].data, t = teacher[i].data, o = out[i].data
            for j in 0..<out[i].count { o[j] = s[j] + alpha * t[j] }
        }
    }
}
