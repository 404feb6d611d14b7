import Attention
import Foundation
import RetortTestSupport
import Workbench
import XCTest

/// The Attention tab's job: a queue of ViT runs on the 8×8 digits (tiny epochs), live settings.
final class AttentionWorkbenchJobTests: XCTestCase {
    static let dataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data").path
    var root: URL!

    override func setUpWithError() throws { root = try temporaryFolder("attn-wb") }

    func make(_ kinds: String, epochs: Int = 1) throws -> AttentionWorkbenchJob {
        try AttentionWorkbenchJob.create(options: [("data", "digits"), ("kinds", kinds), ("epochs", "\(epochs)"), ("test-count", "300"),
                                                   ("batch-size", "64"), ("threads", "1")],
                                         dataDirectory: Self.dataDir, runRoot: root.path, diagnosticImages: 16, scalingSizes: [8, 16])
    }
    func snap(_ j: AttentionWorkbenchJob) -> AttentionSnapshot { j.snapshot(state: .running, messages: [], elapsed: 1) }

    func testQueueOfRunsAdvancesWithCurvesDiagnosticsOpsAndScaling() throws {
        let job = try make("softmax,taylor")
        var s = snap(job)
        XCTAssertEqual(s.modelName, "vit-digits")
        XCTAssertEqual(s.runs.map(\.kind), ["softmax", "taylor"])
        XCTAssertEqual(s.runs.map(\.status), [.queued, .queued])
        XCTAssertNil(s.diagnostics)
        XCTAssertTrue(s.scaling.isEmpty)
        // vit-digits: n = 17 tokens, d = 16, H = 4 — the closed forms of vitality §1.5, per layer and image
        let (n, d, h) = (17, 16, 4)
        let ops = Dictionary(uniqueKeysWithValues: s.opRows.map { ($0.name, ($0.softmax, $0.taylor)) })
        XCTAssertEqual(ops["MACs"]!.0, 2 * h * n * n * d); XCTAssertEqual(ops["MACs"]!.1, h * (2 * n * d * d + n * d))
        XCTAssertEqual(ops["exps"]!.0, h * n * n); XCTAssertEqual(ops["exps"]!.1, 0)
        XCTAssertEqual(ops["divs"]!.1, h * (n * d + d))
        XCTAssertEqual(ops["storage"]!.0, h * n * n); XCTAssertEqual(ops["storage"]!.1, h * d * d)
        XCTAssertEqual(s.linearMACs, 12 * n * 64 * 64)

        try job.advance()
        s = snap(job)
        XCTAssertEqual(s.scaling.map(\.tokens), [8, 16])
        XCTAssertTrue(s.scaling.allSatisfy { $0.softmaxMs > 0 && $0.taylorMs > 0 && $0.softmaxMs.isFinite && $0.taylorMs.isFinite })
        XCTAssertEqual(s.runs.map(\.status), [.running, .queued])
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.runs[0].runFolder + "/config.json"))
        XCTAssertTrue(s.runs[0].runFolder.hasSuffix("-vit-softmax-digits-s1-run1"), s.runs[0].runFolder)
        let d0 = try XCTUnwrap(s.diagnostics, "the fresh model is diagnosed when its run starts")
        XCTAssertEqual(d0.run, 1); XCTAssertEqual(d0.kind, "softmax"); XCTAssertEqual(d0.step, 0); XCTAssertEqual(d0.images, 16)
        XCTAssertEqual(d0.headErrors.map(\.count), [4, 4, 4, 4])
        XCTAssertTrue(d0.headErrors.joined().allSatisfy { $0.isFinite && $0 >= 0 })
        XCTAssertEqual(Int(d0.centredCounts.reduce(0, +)) + d0.below + d0.above, 16 * h * n * n * 4, "every logit of every layer binned")

        let perEpoch = s.stepsPerEpoch
        XCTAssertEqual(perEpoch, (1797 - 300 + 63) / 64)
        for _ in 1..<perEpoch { try job.advance() }
        s = snap(job)
        XCTAssertEqual(s.runs.map(\.status), [.finished, .queued])
        XCTAssertEqual(s.currentRun, 2)
        XCTAssertEqual(s.runs[0].trainLoss.total, perEpoch)
        XCTAssertEqual(s.runs[0].testAccuracy.total, 1)
        XCTAssertTrue(s.runs[0].lastTestAccuracy > 0 && s.runs[0].lastTestAccuracy <= 1)
        let d1 = try XCTUnwrap(s.diagnostics)
        XCTAssertEqual(d1.epoch, 1); XCTAssertEqual(d1.step, perEpoch)
        XCTAssertNotEqual(d1.headErrors, d0.headErrors, "measured again after the epoch")

        try job.advance()
        s = snap(job)
        XCTAssertEqual(s.runs.map(\.status), [.finished, .running])
        XCTAssertEqual(s.kind, "taylor"); XCTAssertEqual(s.step, 1)
        XCTAssertEqual(s.diagnostics?.run, 2); XCTAssertEqual(s.diagnostics?.kind, "taylor")
        XCTAssertEqual(s.runs[0].trainLoss.total, perEpoch, "the finished run's curve stays")
        while !job.isFinished { try job.advance() }
        s = snap(job)
        XCTAssertEqual(s.runs.map(\.status), [.finished, .finished])
        XCTAssertEqual(s.currentRun, 3)
        XCTAssertEqual(s.runs.map(\.testAccuracy.total), [1, 1])
    }

    func testSettingsAreValidatedAppliedToTheRunAndTheQueueAndLogged() throws {
        XCTAssertNil(AttentionQueueSettings.settings.validate("lr", "0.001"))
        XCTAssertNil(AttentionQueueSettings.settings.validate("kind", "taylor-repo"))
        XCTAssertEqual(AttentionQueueSettings.settings.validate("lr", "-1"), "lr: must be in (0, 10], got -1")
        XCTAssertEqual(AttentionQueueSettings.settings.validate("lr", "inf"), "lr: 'inf' is not a number")
        XCTAssertEqual(AttentionQueueSettings.settings.validate("kind", "fast"), "kind: must be one of softmax, taylor, taylor-sparse, taylor-repo, got 'fast'")
        XCTAssertEqual(AttentionQueueSettings.settings.validate("sparse_threshold", "0"), "sparse_threshold: must be in (0, 1), got 0")
        XCTAssertEqual(AttentionQueueSettings.settings.validate("sparse_threshold", "1"), "sparse_threshold: must be in (0, 1), got 1")
        XCTAssertEqual(AttentionQueueSettings.settings.validate("depth", "2"), "unknown setting 'depth': one of kind, sparse_threshold, lr")

        let job = try make("taylor-sparse", epochs: 2)
        XCTAssertThrowsError(try job.handle(.save)) { XCTAssertEqual("\($0)", "save: no run has started yet (space starts the queue)") }
        XCTAssertEqual(try job.handle(.set(name: "lr", value: "0.001")), "lr 0.002 → 0.001 (from run 1)")
        for _ in 0..<3 { try job.advance() }
        XCTAssertThrowsError(try job.handle(.set(name: "lr", value: "-1"))) { XCTAssertEqual("\($0)", "lr: must be in (0, 10], got -1") }
        XCTAssertThrowsError(try job.handle(.set(name: "kind", value: "nope"))) { XCTAssertEqual("\($0)", "kind: must be one of softmax, taylor, taylor-sparse, taylor-repo, got 'nope'") }
        XCTAssertEqual(try job.handle(.set(name: "sparse_threshold", value: "0.3")), "sparse_threshold 0.002 → 0.3 (from step 4 of run 1)")
        XCTAssertEqual(try job.handle(.set(name: "kind", value: "taylor-repo")), "run 2 queued: taylor-repo (after taylor-sparse)")
        var s = snap(job)
        XCTAssertEqual(s.sparseThreshold, 0.3, accuracy: 1e-6)
        XCTAssertEqual(s.baseLR, 0.001, accuracy: 1e-9)
        XCTAssertEqual(s.settings.map(\.name), ["kind", "sparse_threshold", "lr"])
        XCTAssertEqual(s.settings.map(\.value), ["taylor-repo", "0.3", "0.001"])
        XCTAssertEqual(s.runs.map(\.kind), ["taylor-sparse", "taylor-repo"])
        XCTAssertEqual(s.changes.map { "\($0.run)@\($0.step) \($0.name) \($0.from)→\($0.to)" },
                       ["0@0 lr 0.002→0.001", "1@3 sparse_threshold 0.002→0.3", "1@3 kind taylor-sparse→taylor-repo"])
        for _ in 0..<7 { _ = try job.handle(.set(name: "kind", value: "softmax")) }
        XCTAssertThrowsError(try job.handle(.set(name: "kind", value: "taylor"))) {
            XCTAssertEqual("\($0)", "kind: 8 runs are already waiting; let one start first")
        }
        XCTAssertEqual(snap(job).runs.count, 9)
        let saved = try job.handle(.save)
        XCTAssertTrue(saved.hasPrefix("saved taylor-sparse (run 1) to ") && saved.hasSuffix("model.safetensors at step 3"), saved)

        let folder = URL(fileURLWithPath: s.runs[0].runFolder)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
        let csv = try String(contentsOf: folder.appendingPathComponent("hparams.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv.prefix(3), ["step,epoch,name,from,to,note", "3,0,sparse_threshold,0.002,0.3,\"sparse_threshold 0.002 → 0.3\"",
                                       "3,0,kind,taylor-sparse,taylor-repo,\"kind: run 2 queued with taylor-repo\""])
        // The queued run inherits the changed lr and threshold.
        while snap(job).currentRun == 1 { try job.advance() }
        try job.advance()
        s = snap(job)
        XCTAssertEqual(s.runs[1].status, .running)
        let config = try String(contentsOf: URL(fileURLWithPath: s.runs[1].runFolder).appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"kind\" : \"taylor-repo\""), config)
        XCTAssertTrue(config.contains("\"lr\" : 0.001"), config)
        XCTAssertTrue(config.contains("\"threshold\" : 0.3"), config)
    }

    func testCrossoverIsWhereTaylorStaysFaster() {
        func pts(_ t: [(Int, Double, Double)]) -> [AttentionScalingPoint] { t.map { AttentionScalingPoint(tokens: $0.0, softmaxMs: $0.1, taylorMs: $0.2) } }
        XCTAssertEqual(AttentionWorkbenchJob.crossover(pts([(8, 1, 2), (16, 2, 1.5), (32, 3, 3.5), (64, 8, 4), (128, 30, 8)])), 64,
                       "a faster point below a slower one is noise, not the crossover")
        XCTAssertEqual(AttentionWorkbenchJob.crossover(pts([(8, 2, 1), (16, 4, 1)])), 8)
        XCTAssertNil(AttentionWorkbenchJob.crossover(pts([(8, 2, 1), (16, 1, 2)])))
        XCTAssertNil(AttentionWorkbenchJob.crossover([]))
    }
}
