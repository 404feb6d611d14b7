import XCTest
import RetortCore
import Attention

/// Parity with PyTorch (tools/pytorch/attention_fixtures.py): every attention kind alone, and
/// a tiny ViT of every kind end to end (logits, loss, every parameter gradient). The sparse
/// kinds run with 4-bit quantisation on, so this also checks the quantiser and the
/// straight-through gradient.
final class PyTorchParityTests: XCTestCase {
    static let tolerance = 1e-4
    override func setUp() { Threads.set(1) }

    func kind(_ f: Fixture) -> AttentionKind { AttentionKind(rawValue: f.string("kind"))! }

    func checkAttention(_ name: String) throws {
        let f = try Fixture(name)
        let training = f.bool("training")
        let core = AttentionCore(kind: kind(f), heads: f.int("heads"),
                                 sparse: SparseConfig(threshold: f.float("threshold"), bits: f.int("bits"), momentum: f.float("momentum")))
        let rq = f.numbers("runningQ")
        if !training { core.quantQ.runningZeroPoint = Float(rq[0]); core.quantQ.runningRange = Float(rq[1]) }
        let y = core.forward(f.tensor("qkv"), training: training)
        XCTAssertLessThanOrEqual(relativeError(y, f.tensor("y")), Self.tolerance, "\(name): output")
        if f.has("dqkv") {
            let dx = core.backward(f.tensor("dy"))
            XCTAssertLessThanOrEqual(relativeError(dx, f.tensor("dqkv")), Self.tolerance, "\(name): dqkv")
        }
        if f.meta["maskDensity"] != nil {
            XCTAssertEqual(core.lastMaskDensity ?? -1, f.double("maskDensity"), accuracy: 1e-9, "\(name): mask density")
        } else {
            XCTAssertNil(core.lastMaskDensity, "\(name): no sparse path expected")
        }
        if training {
            XCTAssertEqual(core.quantQ.runningZeroPoint, Float(rq[0]), accuracy: 1e-6, "\(name): running zero point")
            XCTAssertEqual(core.quantQ.runningRange, Float(rq[1]), accuracy: 1e-6, "\(name): running range")
            let rk = f.numbers("runningK")
            XCTAssertEqual(core.quantK.runningRange, Float(rk[1]), accuracy: 1e-6, "\(name): K running range")
        }
    }

    func testSoftmaxAttention() throws { try checkAttention("attn_softmax_train") }
    func testTaylorAttention() throws { try checkAttention("attn_taylor_train") }
    func testTaylorSparseTraining() throws { try checkAttention("attn_taylor_sparse_train") }
    func testTaylorSparseInferenceIsLowRankOnly() throws { try checkAttention("attn_taylor_sparse_eval") }
    func testTaylorRepoTraining() throws { try checkAttention("attn_taylor_repo_train") }
    func testTaylorRepoInference() throws { try checkAttention("attn_taylor_repo_eval") }

    func checkViT(_ name: String) throws {
        let f = try Fixture(name)
        let cfg = ViTConfig(name: "fixture", imageSize: f.int("imageSize"), channels: f.int("channels"), patchSize: f.int("patchSize"),
                            width: f.int("width"), heads: f.int("heads"), depth: f.int("depth"), mlpRatio: f.int("mlpRatio"),
                            classes: f.int("classes"))
        let model = VisionTransformer(cfg, kind: kind(f), sparse: SparseConfig(threshold: f.float("threshold")), seed: 1)
        let names = Set(model.parameters.map(\.name))
        let fixtureNames = Set(f.tensorNames.filter { $0.hasPrefix("param:") }.map { String($0.dropFirst(6)) })
        XCTAssertEqual(names, fixtureNames, "\(name): parameter names must match PyTorch's")
        for p in model.parameters { p.value.copy(from: f.tensor("param:" + p.name)); p.grad.zero() }

        let x = f.tensor("x"), labels = f.numbers("labels").map { Int($0) }
        let logits = model.forward(x, training: true)
        XCTAssertLessThanOrEqual(relativeError(logits, f.tensor("logits")), Self.tolerance, "\(name): logits")
        let (loss, grad) = crossEntropy(logits: logits, labels: labels)
        XCTAssertEqual(Double(loss), f.double("loss"), accuracy: 1e-4 * abs(f.double("loss")), "\(name): loss")
        _ = model.backward(grad)
        for p in model.parameters {
            XCTAssertLessThanOrEqual(relativeError(p.grad, f.tensor("grad:" + p.name)), Self.tolerance, "\(name): grad of \(p.name)")
        }
        if f.meta["maskDensity"] != nil {
            let expected = f.numbers("maskDensity")
            for (c, e) in zip(model.cores, expected) { XCTAssertEqual(c.lastMaskDensity ?? -1, e, accuracy: 1e-9) }
        }
        let evalLogits = model.forward(x, training: false)
        XCTAssertLessThanOrEqual(relativeError(evalLogits, f.tensor("eval_logits")), Self.tolerance, "\(name): eval logits")
    }

    func testViTSoftmax() throws { try checkViT("vit_softmax") }
    func testViTTaylor() throws { try checkViT("vit_taylor") }
    func testViTTaylorSparse() throws { try checkViT("vit_taylor_sparse") }
    func testViTTaylorRepo() throws { try checkViT("vit_taylor_repo") }
}
