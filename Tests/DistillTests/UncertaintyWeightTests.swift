import Distill
import Foundation
import RetortCore
import XCTest

final class UncertaintyWeightTests: XCTestCase {
    func testEntropyConfidence() {
        // Row 0 uniform (w = 0), row 1 nearly one-hot (w ≈ 1), row 2 in between.
        let z = Tensor(shape: [3, 4], values: [0, 0, 0, 0,   30, 0, 0, 0,   2, 1, 0, 0])
        let (w, h) = UncertaintyWeights.entropy(teacherLogits: z)
        XCTAssertEqual(h[0], Float(log(4.0)), accuracy: 1e-6)
        XCTAssertEqual(w[0], 0, accuracy: 1e-6)
        XCTAssertEqual(w[1], 1, accuracy: 1e-6)
        // By hand: p = softmax(2, 1, 0, 0)
        let e = [exp(2.0), exp(1.0), 1, 1], s = e.reduce(0, +)
        let hh = -e.map { $0 / s }.reduce(0) { $0 + $1 * log($1) }
        XCTAssertEqual(Double(w[2]), 1 - hh / log(4.0), accuracy: 1e-6)
        XCTAssertTrue(w.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testCorrectnessGate() {
        let z = Tensor(shape: [3, 3], values: [3, 0, 0,   0, 3, 0,   0, 0, 3])
        XCTAssertEqual(UncertaintyWeights.gate(teacherLogits: z, labels: [0, 2, 2]), [1, 0, 1])
    }

    func testEnsembleOfAgreeingMembersIsTheMemberWithFullWeight() {
        var rng = RNG(seed: 1)
        let z = Tensor(shape: [5, 10]); z.fillNormal(std: 2, rng: &rng)
        let T: Float = 2
        let e = UncertaintyWeights.ensemble(members: [z, z.copy(), z.copy()], temperature: T)
        XCTAssertTrue(e.weights.allSatisfy { abs($0 - 1) < 1e-6 })
        XCTAssertTrue(e.disagreement.allSatisfy { abs($0) < 1e-6 })
        // softmax(target/T) == softmax(z/T): the KD loss toward the target equals the loss toward z.
        let s = Tensor(shape: [5, 10]); s.fillNormal(std: 1, rng: &rng)
        let a = softTargetKL(studentLogits: s, teacherLogits: e.target, temperature: T)
        let b = softTargetKL(studentLogits: s, teacherLogits: z, temperature: T)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-5)
        for (u, v) in zip(a.grad.array, b.grad.array) { XCTAssertEqual(u, v, accuracy: 1e-6) }
    }

    func testEnsembleDisagreementLowersTheWeightAndAveragesTheTarget() {
        // Two confident members that disagree completely: MI = log 2 ⇒ w = 0; target = 50/50.
        let a = Tensor(shape: [1, 3], values: [40, 0, 0]), b = Tensor(shape: [1, 3], values: [0, 40, 0])
        let e = UncertaintyWeights.ensemble(members: [a, b], temperature: 1)
        XCTAssertEqual(e.weights[0], 0, accuracy: 1e-5)
        XCTAssertEqual(Double(e.disagreement[0]), log(2.0), accuracy: 1e-5)
        let t = e.target.array
        let p = t.map { exp(Double($0)) }
        XCTAssertEqual(p[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p[1], 0.5, accuracy: 1e-6)
        // Partial disagreement gives a weight strictly between 0 and 1.
        let c = Tensor(shape: [1, 3], values: [2, 1, 0]), d = Tensor(shape: [1, 3], values: [1, 2, 0])
        let w = UncertaintyWeights.ensemble(members: [c, d, c], temperature: 2).weights[0]
        XCTAssertGreaterThan(w, 0); XCTAssertLessThan(w, 1)
    }
}
