import Distill
import RetortCore
import XCTest

/// The surgery rules on hand-made gradient sets: the inner-product guarantees of §3.2,
/// drop/none, thresholds, and whole-vector versus per-tensor granularity.
final class SurgeryAlgebraTests: XCTestCase {
    /// Two tensors: a [4, 6] matrix with a [2, 3] student box and a [5] vector with a [3] box.
    let layout = SharedLayout(names: ["w", "b"], shapes: [[4, 6], [5]], extents: [[2, 3], [3]])

    func dot(_ a: [Tensor], _ b: [Tensor], sharedOnly: Bool = false) -> Double {
        var s = 0.0
        for i in 0..<a.count {
            for j in 0..<a[i].count where !sharedOnly || layout.contains(tensor: i, index: j) { s += Double(a[i][j]) * Double(b[i][j]) }
        }
        return s
    }

    /// Random student (zero outside the box) and teacher gradients; the teacher is built
    /// as −k·student + noise on the shared elements, so it conflicts when k > 0.
    func gradients(seed: UInt64, conflictStrength k: Float) -> (s: [Tensor], t: [Tensor]) {
        var rng = RNG(seed: seed)
        let s = layout.shapes.map { Tensor(shape: $0) }, t = layout.shapes.map { Tensor(shape: $0) }
        for i in 0..<layout.count {
            for j in 0..<s[i].count {
                let shared = layout.contains(tensor: i, index: j)
                let g = rng.normal()
                s[i][j] = shared ? g : 0
                t[i][j] = shared ? -k * g + 0.3 * rng.normal() : rng.normal()
            }
        }
        return (s, t)
    }

    func copies(_ a: [Tensor]) -> [Tensor] { a.map { $0.copy() } }

    func testLayoutRunsCoverExactlyTheBox() {
        for i in 0..<layout.count {
            var inRuns = Set<Int>()
            for r in layout.runs[i] { for j in r { inRuns.insert(j) } }
            let n = layout.shapes[i].reduce(1, *)
            XCTAssertEqual(inRuns, Set((0..<n).filter { layout.contains(tensor: i, index: $0) }))
            XCTAssertEqual(inRuns.count, layout.sharedCount(i))
        }
        XCTAssertEqual(layout.runs[0], [0..<3, 6..<9])
        let conv = SharedLayout(names: ["c"], shapes: [[4, 3, 3, 3]], extents: [[2, 2, 3, 3]])
        XCTAssertEqual(conv.runs[0], [0..<18, 27..<45])
    }

    func testAsymmetricKeepsStudentAndOrthogonalisesTeacher() {
        for seed in 1...20 as ClosedRange<UInt64> {
            let (s, t) = gradients(seed: seed, conflictStrength: 1)
            let s0 = copies(s), t0 = copies(t)
            let o = GradientSurgery.apply(.asymmetric, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
            XCTAssertTrue(o.conflict, "seed \(seed): constructed to conflict")
            XCTAssertLessThan(o.before.cosine, 0)
            XCTAssertEqual(o.projections, 1)
            // g_s unchanged; g_t' ⟂ g_s; g = g_s + α g_t' has ⟨g, g_s⟩ = ‖g_s‖² ≥ 0.
            for i in 0..<s.count { XCTAssertEqual(s[i].array, s0[i].array) }
            let ss = dot(s0, s0)
            XCTAssertEqual(dot(t, s0) / ss, 0, accuracy: 1e-6)
            for alpha: Float in [0.5, 1, 3] {
                let g = layout.shapes.map { Tensor(shape: $0) }
                GradientSurgery.combine(student: s, teacher: t, alpha: alpha, into: g)
                XCTAssertGreaterThanOrEqual(dot(g, s0), 0)
                XCTAssertEqual(dot(g, s0) / ss, 1, accuracy: 1e-5)
            }
            // Teacher-only elements are untouched.
            for i in 0..<t.count {
                for j in 0..<t[i].count where !layout.contains(tensor: i, index: j) { XCTAssertEqual(t[i][j], t0[i][j]) }
            }
            XCTAssertEqual(o.after.cosine, 0, accuracy: 1e-5)
        }
    }

    func testSymmetricProjectsBothAgainstTheOriginals() {
        for seed in 1...20 as ClosedRange<UInt64> {
            let (s, t) = gradients(seed: seed, conflictStrength: 0.8)
            let s0 = copies(s), t0 = copies(t)
            let o = GradientSurgery.apply(.symmetric, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
            XCTAssertTrue(o.conflict)
            // ⟨g_s', g_t|S⟩ = 0 and ⟨g_t', g_s⟩ = 0 (both against the original vectors).
            let scale = (dot(s0, s0) * dot(t0, t0, sharedOnly: true)).squareRoot()
            XCTAssertEqual(dot(s, t0, sharedOnly: true) / scale, 0, accuracy: 1e-6)
            XCTAssertEqual(dot(t, s0) / scale, 0, accuracy: 1e-6)
            // Both projected gradients keep a non-negative inner product with their own original,
            // and the sum has non-negative inner products with both.
            XCTAssertGreaterThanOrEqual(dot(s, s0), 0)
            XCTAssertGreaterThanOrEqual(dot(t, t0), 0)
            let g = layout.shapes.map { Tensor(shape: $0) }
            GradientSurgery.combine(student: s, teacher: t, alpha: 1, into: g)
            XCTAssertGreaterThanOrEqual(dot(g, s0) / scale, -1e-6)
            XCTAssertGreaterThanOrEqual(dot(g, t0, sharedOnly: true) / scale, -1e-6)
            // The student's projected gradient is still zero outside the shared elements.
            for i in 0..<s.count {
                for j in 0..<s[i].count where !layout.contains(tensor: i, index: j) { XCTAssertEqual(s[i][j], 0) }
            }
        }
    }

    func testDropZeroesTheTeacherOnSharedElementsOnly() {
        let (s, t) = gradients(seed: 5, conflictStrength: 1)
        let s0 = copies(s), t0 = copies(t)
        let o = GradientSurgery.apply(.drop, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
        XCTAssertTrue(o.conflict)
        for i in 0..<t.count {
            XCTAssertEqual(s[i].array, s0[i].array)
            for j in 0..<t[i].count {
                XCTAssertEqual(t[i][j], layout.contains(tensor: i, index: j) ? 0 : t0[i][j])
            }
        }
        XCTAssertEqual(o.after.cosine, 0, "no teacher gradient left on the shared elements: counted as 0, not skipped")
    }

    func testNegligibleGradientsHaveCosineZeroAndNeverConflict() {
        let (s, t) = gradients(seed: 5, conflictStrength: 1)
        for x in t { for j in 0..<x.count { x[j] *= 1e-15 } }   // a conflicting teacher gradient of ~1e-14
        let o = GradientSurgery.apply(.asymmetric, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
        XCTAssertLessThan(o.before.dot, 0, "the tiny gradients point against each other")
        XCTAssertFalse(o.conflict, "a 1e-14 gradient is rounding noise, not a conflict at τ = 0")
        XCTAssertEqual(o.before.cosine, 0)
        XCTAssertEqual(o.projections, 0)
        XCTAssertEqual(GradientAlignment(dot: -1e-30, studentNorm2: 1e-30, teacherNorm2: 1).cosine, 0)
    }

    func testNoneAndAlignedGradientsAreLeftAlone() {
        for mode in SurgeryMode.allCases {
            let (s, t) = gradients(seed: 9, conflictStrength: -1)   // aligned
            let s0 = copies(s), t0 = copies(t)
            let o = GradientSurgery.apply(mode, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
            XCTAssertFalse(o.conflict)
            XCTAssertGreaterThan(o.before.cosine, 0)
            XCTAssertEqual(o.projections, 0)
            for i in 0..<s.count { XCTAssertEqual(s[i].array, s0[i].array); XCTAssertEqual(t[i].array, t0[i].array) }
        }
        let (s, t) = gradients(seed: 9, conflictStrength: 1)
        let t0 = copies(t)
        let o = GradientSurgery.apply(.none, granularity: .whole, tau: 0, student: s, teacher: t, layout: layout)
        XCTAssertTrue(o.conflict, "none still measures and reports conflicts")
        for i in 0..<t.count { XCTAssertEqual(t[i].array, t0[i].array) }
    }

    func testThresholdTau() {
        let (s, t) = gradients(seed: 3, conflictStrength: -1)
        let c = GradientSurgery.total(GradientSurgery.measure(student: s, teacher: t, layout: layout)).cosine
        XCTAssertGreaterThan(c, 0)
        let below = GradientSurgery.apply(.asymmetric, granularity: .whole, tau: c - 0.01, student: s.map { $0.copy() }, teacher: t.map { $0.copy() }, layout: layout)
        XCTAssertFalse(below.conflict)
        let above = GradientSurgery.apply(.asymmetric, granularity: .whole, tau: c + 0.01, student: s, teacher: t, layout: layout)
        XCTAssertTrue(above.conflict)
        XCTAssertEqual(above.after.cosine, 0, accuracy: 1e-5)
    }

    func testPerTensorActsOnlyOnConflictingTensors() {
        // Tensor w conflicts strongly but is small; tensor b agrees and dominates the whole
        // vector, so the whole-vector cosine is positive.
        let s = layout.shapes.map { Tensor(shape: $0) }, t = layout.shapes.map { Tensor(shape: $0) }
        var rng = RNG(seed: 2)
        for r in layout.runs[0] { for j in r { let g = rng.normal(); s[0][j] = g; t[0][j] = -g + 0.2 * rng.normal() } }
        for r in layout.runs[1] { for j in r { let g = rng.normal() * 10; s[1][j] = g; t[1][j] = g } }
        let whole = GradientSurgery.apply(.asymmetric, granularity: .whole, tau: 0, student: s.map { $0.copy() }, teacher: t.map { $0.copy() }, layout: layout)
        XCTAssertFalse(whole.conflict)
        XCTAssertEqual(whole.tensorConflicts, [true, false])
        XCTAssertEqual(whole.projections, 0)
        let t1 = t[1].copy()
        let per = GradientSurgery.apply(.asymmetric, granularity: .perTensor, tau: 0, student: s, teacher: t, layout: layout)
        XCTAssertEqual(per.projections, 1)
        XCTAssertEqual(per.afterPerTensor[0].cosine, 0, accuracy: 1e-6)
        XCTAssertEqual(per.afterPerTensor[1].cosine, 1, accuracy: 1e-6)
        XCTAssertEqual(t[1].array, t1.array, "the agreeing tensor is untouched")
        XCTAssertLessThan(per.beforePerTensor[0].cosine, -0.5)
    }

    func testCosineUsesDoubleAccumulation() {
        // 100 000 elements of 1e-4: a Float sum of squares would lose digits; the Double sum is exact to ~1e-12.
        let n = 100_000
        let l = SharedLayout(names: ["x"], shapes: [[n]], extents: [[n]])
        let s = Tensor(shape: [n], repeating: 1e-4), t = Tensor(shape: [n], repeating: 1e-4)
        t[0] = -1e-4
        let a = GradientSurgery.measure(student: [s], teacher: [t], layout: l)[0]
        let f = Double(Float(1e-4))
        XCTAssertEqual(a.dot / (Double(n - 2) * f * f), 1, accuracy: 1e-10)
        XCTAssertEqual(a.cosine, Double(n - 2) / Double(n), accuracy: 1e-10)
        // A Float accumulator would be off by far more than that.
        var fs: Float = 0
        for _ in 0..<n { fs += Float(1e-4) * Float(1e-4) }
        XCTAssertGreaterThan(abs(Double(fs) / (Double(n) * f * f) - 1), 1e-6)
    }
}
