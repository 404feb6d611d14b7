import Foundation
import RetortTestSupport
import Workbench
import XCTest

/// Run folders of every engine's format, and broken ones, read into the Runs tab's rows.
final class RunCatalogTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try temporaryFolder("catalog") }

    @discardableResult
    func run(_ name: String, config: String?, files: [String: String] = [:], under dir: URL? = nil) throws -> URL {
        let d = (dir ?? root).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        if let config { try config.write(to: d.appendingPathComponent("config.json"), atomically: true, encoding: .utf8) }
        for (f, text) in files { try text.write(to: d.appendingPathComponent(f), atomically: true, encoding: .utf8) }
        return d
    }

    let trainHeader = "step,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_second\n"
    var trainConfig: String { #"{"data":"digits","epochs":3,"model":"mlp","mlpHidden":[256,256],"lr":0.1,"nesterov":true,"seed":1}"# }

    func testTrainRunFinishedWithBestAccuracyAndFinalLoss() throws {
        try run("20261126-101500-mlp-digits-s1", config: trainConfig, files: [
            "metrics.csv": trainHeader + "23,1,1.2,0.6,0.9,0.71,0.1,1,900\n46,2,0.6,0.8,0.5,0.88,0.1,1,900\n69,3,0.4,0.9,0.45,0.86,0.05,1,900\n",
            "steps.csv": "step,epoch,loss,accuracy,lr\n10,0,1.9,0.4,0.1\n20,0,1.4,0.5,0.1\n30,1,1.0,0.7,0.1\n",
        ])
        let rows = RunCatalog(root: root.path).scan()
        XCTAssertEqual(rows.count, 1)
        let r = rows[0]
        XCTAssertEqual(r.name, "20261126-101500-mlp-digits-s1")
        XCTAssertEqual(r.engine, .train)
        XCTAssertEqual(r.state, .finished)
        XCTAssertEqual(r.epochsDone, 3); XCTAssertEqual(r.epochsTotal, 3)
        XCTAssertEqual(r.bestTestAccuracy, 0.88)
        XCTAssertEqual(r.finalTestLoss, 0.45)
        XCTAssertNil(r.note)
        let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd HH:mm:ss"; f.locale = Locale(identifier: "en_US_POSIX")
        XCTAssertEqual(r.date.map(f.string), "2026-11-26 10:15:00", "date from the name's timestamp")

        let c = try RunCatalog(root: root.path).curves(r.name)
        XCTAssertEqual(c.engine, .train)
        XCTAssertEqual(c.testAccuracyColumn, "test_accuracy"); XCTAssertEqual(c.testLossColumn, "test_loss")
        XCTAssertEqual(c.lossColumns, ["train_loss", "test_loss"])
        XCTAssertEqual(c.accuracyColumns, ["train_accuracy", "test_accuracy"])
        XCTAssertEqual(c.stepLossColumn, "loss")
        XCTAssertEqual(c.steps?.series("loss").map(\.0), [10, 20, 30])
        XCTAssertEqual(c.metrics.series("test_accuracy", x: "epoch").map(\.1), [0.71, 0.88, 0.86])
        XCTAssertEqual(c.metrics.series("test_accuracy").map(\.0), [23, 46, 69])
        XCTAssertEqual(c.config.first { $0.0 == "mlpHidden" }?.1, "[256, 256]")
        XCTAssertEqual(c.config.first { $0.0 == "nesterov" }?.1, "true")
        XCTAssertEqual(c.config.first { $0.0 == "lr" }?.1, "0.1")
        XCTAssertEqual(c.config.map(\.0), c.config.map(\.0).sorted())
    }

    func testDistillAndAttentionFormats() throws {
        try run("20261126-110000-distill-full-mlp-digits-s1", config: #"{"epochs":4,"method":"full","surgery":"asymmetric","teacherWidth":[4],"model":"mlp"}"#, files: [
            "metrics.csv": "step,epoch,student_train_acc,student_test_acc,student_test_loss,teacher_train_acc,teacher_test_acc,teacher_test_loss,lr,seconds\n"
                + "40,1,0.5,0.62,1.1,0.6,0.7,0.9,0.02,1\n80,2,0.7,0.75,0.8,0.8,0.81,0.6,0.02,1\n",
        ])
        try run("20261126-120000-vit-taylor-sparse-digits-s1-run1", config: #"{"epochs":2,"kind":"taylor-sparse","sparse":{"threshold":0.1},"data":"digits"}"#, files: [
            "metrics.csv": "step,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_second,mask_density,test_accuracy_with_sparse\n"
                + "50,1,2.0,0.3,1.5,0.5,0.002,3,400,0.4,0.49\n100,2,1.2,0.6,1.0,0.66,0.001,3,400,0.35,0.65\n",
        ])
        let rows = RunCatalog(root: root.path).scan()
        XCTAssertEqual(rows.map(\.engine), [.attention, .distill], "newest first")
        XCTAssertEqual(rows[0].state, .finished)
        XCTAssertEqual(rows[0].bestTestAccuracy, 0.66)
        XCTAssertEqual(rows[1].state, .incomplete)
        XCTAssertEqual(rows[1].epochsDone, 2); XCTAssertEqual(rows[1].epochsTotal, 4)
        XCTAssertEqual(rows[1].bestTestAccuracy, 0.75, "student_test_acc, not the teacher's")
        XCTAssertEqual(rows[1].finalTestLoss, 0.8)
        let c = try RunCatalog(root: root.path).curves(rows[1].name)
        XCTAssertEqual(c.testAccuracyColumn, "student_test_acc")
        XCTAssertNil(c.steps)
    }

    func testBrokenFoldersBecomeRowsWithAReason() throws {
        try run("garbage", config: "{ not json")
        try run("array", config: "[1, 2]")
        try run("dupkey", config: "{\"epochs\": 2,\n \"epochs\": 3}")
        try run("empty", config: nil)
        try run("nocfg", config: nil, files: ["metrics.csv": trainHeader])
        try run("truncated", config: trainConfig, files: ["metrics.csv": trainHeader + "23,1,1.2,0.6,0.9,0.71,0.1,1,900\n46,2,0.6,0.8,0.5,0.88,0.1,1,900\n69,3,0.4,0.9,0."])
        try run("badrow", config: trainConfig, files: ["metrics.csv": trainHeader + "23,1,1.2\n46,2,0.6,0.8,0.5,0.88,0.1,1,900\n"])
        try run("badnum", config: trainConfig, files: ["metrics.csv": trainHeader + "23,1,1.2,0.6,abc,0.71,0.1,1,900\n46,2,0.6,0.8,0.5,0.88,0.1,1,900\n"])
        try run("nometrics", config: trainConfig)
        try run("emptycsv", config: trainConfig, files: ["metrics.csv": ""])
        try "not a run".write(to: root.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let rows = Dictionary(uniqueKeysWithValues: RunCatalog(root: root.path).scan().map { ($0.name, $0) })
        XCTAssertEqual(rows["dupkey"]?.state, .unreadable)
        XCTAssertEqual(rows["dupkey"]?.note, "config.json: duplicate key 'epochs' on line 2 (each key may appear once per object)")
        XCTAssertEqual(Set(rows.keys), ["garbage", "array", "dupkey", "empty", "nocfg", "truncated", "badrow", "badnum", "nometrics", "emptycsv"])
        XCTAssertEqual(rows["garbage"]?.state, .unreadable); XCTAssertEqual(rows["garbage"]?.note, "config.json: not valid JSON")
        XCTAssertEqual(rows["array"]?.note, "config.json: not a JSON object")
        XCTAssertEqual(rows["empty"]?.state, .unreadable); XCTAssertEqual(rows["empty"]?.note, "empty folder")
        XCTAssertEqual(rows["nocfg"]?.note, "no config.json")
        XCTAssertEqual(rows["truncated"]?.state, .incomplete)
        XCTAssertEqual(rows["truncated"]?.epochsDone, 2)
        XCTAssertEqual(rows["truncated"]?.bestTestAccuracy, 0.88)
        XCTAssertEqual(rows["truncated"]?.note, "metrics.csv: last line truncated (5 of 9 fields), ignored")
        XCTAssertEqual(rows["badrow"]?.state, .unreadable); XCTAssertEqual(rows["badrow"]?.note, "metrics.csv line 2: 3 fields, header has 9")
        XCTAssertEqual(rows["badnum"]?.note, "metrics.csv line 2: 'abc' in test_loss is not a number")
        XCTAssertEqual(rows["nometrics"]?.state, .incomplete); XCTAssertEqual(rows["nometrics"]?.epochsDone, 0)
        XCTAssertEqual(rows["emptycsv"]?.state, .unreadable); XCTAssertEqual(rows["emptycsv"]?.note, "metrics.csv: empty")
        for r in rows.values { XCTAssertFalse((r.note ?? "").contains("\n"), "one-line reason: \(r.note!)") }
        XCTAssertThrowsError(try RunCatalog(root: root.path).curves("garbage"))
        XCTAssertEqual(RunCatalog(root: root.appendingPathComponent("missing").path).scan().count, 0)
    }

    func testCSVQuotesAndTextColumns() throws {
        let (t, w) = try RunTable.parse("step,epoch,name,old,new,note\n5,0,lr,0.1,0.02,\"typed, in the TUI\"\n", file: "hparams.csv")
        XCTAssertNil(w)
        XCTAssertEqual(t.rows.count, 1)
        XCTAssertEqual(t.column("new"), [0.02])
        XCTAssertTrue(t.column("note")![0].isNaN)
    }

    func testCompareFoldersAndActiveRuns() throws {
        let cmp = try run("20261126-130000-compare-mlp-digits", config: #"{"epochs":2,"surgery":"none","teacherWidth":[4]}"#,
                          files: ["runs.csv": "condition,seed,student_test_acc\n\"a\",1,0.5\n\"b\",1,0.6\n", "table.md": "# t\n"])
        try run("full-s1", config: #"{"epochs":2,"surgery":"none","teacherWidth":[4]}"#,
                files: ["metrics.csv": "step,epoch,student_test_acc,student_test_loss\n10,1,0.5,1\n20,2,0.6,0.9\n"], under: cmp)
        try run("20261126-140000-vit-compare-digits", config: #"{"epochs":2,"kind":"softmax","sparse":{}}"#, files: ["summary.csv": "kind,seed,test_accuracy\nsoftmax,1,0.9\n"])
        try run("live", config: trainConfig, files: ["metrics.csv": trainHeader + "23,1,1.2,0.6,0.9,0.71,0.1,1,900\n"])
        let cat = RunCatalog(root: root.path, active: ["live"])
        let rows = Dictionary(uniqueKeysWithValues: cat.scan().map { ($0.name, $0) })
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows["20261126-130000-compare-mlp-digits"]?.engine, .compare)
        XCTAssertEqual(rows["20261126-130000-compare-mlp-digits"]?.state, .summary)
        XCTAssertEqual(rows["20261126-130000-compare-mlp-digits"]?.note, "2 runs in runs.csv; kept runs listed below")
        let sub = rows["20261126-130000-compare-mlp-digits/full-s1"]
        XCTAssertEqual(sub?.engine, .distill); XCTAssertEqual(sub?.state, .finished); XCTAssertEqual(sub?.bestTestAccuracy, 0.6)
        XCTAssertEqual(rows["20261126-140000-vit-compare-digits"]?.note, "1 run in summary.csv")
        XCTAssertEqual(rows["live"]?.state, .running)
        XCTAssertThrowsError(try cat.delete(name: "live")) { XCTAssertEqual("\($0)", "live is open in this session: not deleted") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("live").path))
        XCTAssertEqual(try cat.curves("20261126-130000-compare-mlp-digits/full-s1").metrics.rows.count, 2)
        XCTAssertEqual(RunCatalog.name(of: root.appendingPathComponent("live").path, in: root.path), "live")
        XCTAssertNil(RunCatalog.name(of: "/elsewhere/live", in: root.path))
    }

    func testDeleteStaysInsideTheRoot() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("retort-outside-\(UUID())")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try "keep".write(to: outside.appendingPathComponent("precious.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link"), withDestinationURL: outside)
        let cmp = try run("cmp", config: trainConfig, files: ["runs.csv": "a\n"])
        try run("sub", config: trainConfig, under: cmp)
        try run("gone", config: trainConfig, files: ["metrics.csv": trainHeader])
        try "file".write(to: root.appendingPathComponent("plain.txt"), atomically: true, encoding: .utf8)
        let cat = RunCatalog(root: root.path)
        for bad in ["../" + outside.lastPathComponent, outside.path, "link", "link/precious.txt", "cmp/../gone", "", ".", "a/b/c", "plain.txt", "nope"] {
            XCTAssertThrowsError(try cat.delete(name: bad), bad)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside.appendingPathComponent("precious.txt").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("gone").path))
        XCTAssertThrowsError(try cat.delete(name: "link")) { XCTAssertEqual("\($0)", "link is a symbolic link: not deleted") }
        try cat.delete(name: "cmp/sub")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cmp.appendingPathComponent("sub").path))
        try cat.delete(name: "gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("gone").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.path))
        XCTAssertEqual(Set(cat.scan().map(\.name)), ["cmp", "link"], "the symlinked folder is listed (it is a folder), never deleted")
    }

    /// A run another process is writing (it holds the folder's lock, as `retort train` in
    /// another terminal does) reads running and is not deleted; once it ends it is incomplete.
    func testARunLockedByAnotherProcessIsRunningAndNotDeleted() throws {
        let d = try run("elsewhere", config: trainConfig, files: ["metrics.csv": trainHeader + "23,1,1.2,0.6,0.9,0.71,0.1,1,900\n"])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["-x", d.appendingPathComponent(".lock").path, "sleep", "30"]
        try p.run()
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        let cat = RunCatalog(root: root.path)
        for _ in 0..<200 where cat.summary("elsewhere").state != .running { usleep(10_000) }
        XCTAssertEqual(cat.summary("elsewhere").state, .running)
        XCTAssertThrowsError(try cat.delete(name: "elsewhere")) { XCTAssertEqual("\($0)", "elsewhere is in use by another process: not deleted") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.path))
        p.terminate(); p.waitUntilExit()
        XCTAssertEqual(cat.summary("elsewhere").state, .incomplete)
        try cat.delete(name: "elsewhere")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.path))
    }
}

/// `retort sweep` study folders in the catalog: a progress row per study from manifest.json,
/// its points' run folders with their hyperparameters.
final class RunCatalogStudyTests: XCTestCase {
    func testStudiesAreListedWithProgressAndTheirRuns() throws {
        let base = try temporaryFolder("catalog-studies")
        let runs = base.appendingPathComponent("runs"), studies = base.appendingPathComponent("studies")
        let study = studies.appendingPathComponent("lr-sweep")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        func point(_ id: String, lr: Double, metrics: String) throws {
            let d = study.appendingPathComponent("runs/" + id)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try #"{"data":"digits","epochs":2,"model":"mlp","lr":\#(lr),"seed":1,"sparse":{"threshold":0.002}}"#
                .write(to: d.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            try ("step,epoch,train_loss,train_accuracy,test_loss,test_accuracy\n" + metrics)
                .write(to: d.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        }
        try point("p000", lr: 0.05, metrics: "10,1,1,0.5,0.9,0.6\n20,2,0.5,0.8,0.5,0.85\n")
        try point("p002", lr: 0.2, metrics: "10,1,1,0.5,0.9,0.4\n")
        let manifest = #"{"study":"lr-sweep","command":"train","axes":["lr"],"points":[{"id":"p000","run":"runs/p000","state":"finished"},{"id":"p001","run":"runs/p001","state":"queued"},{"id":"p002","run":"runs/p002","state":"failed","lastLine":"retort: diverged"},{"id":"p003","run":"runs/p003","state":"running"}]}"#
        try manifest.write(to: study.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: studies.appendingPathComponent("no-manifest"), withIntermediateDirectories: true)

        let cat = RunCatalog(root: runs.path, studiesRoot: studies.path)
        let rows = cat.scan()
        XCTAssertEqual(rows.map(\.name), ["study:lr-sweep", "study:lr-sweep/p000", "study:lr-sweep/p002"])
        XCTAssertEqual(rows[0].engine, .study)
        XCTAssertEqual(rows[0].state, .running)
        XCTAssertEqual(rows[0].note, "4 points: 1 finished, 1 running, 1 failed, 1 queued")
        XCTAssertEqual(rows[0].epochsDone, 1); XCTAssertEqual(rows[0].epochsTotal, 4)
        XCTAssertEqual(rows[1].study, "lr-sweep")
        XCTAssertEqual(rows[1].state, .finished)
        XCTAssertEqual(rows[1].bestTestAccuracy, 0.85)
        XCTAssertEqual(rows[1].hyperparameters["lr"], "0.05")
        XCTAssertEqual(rows[1].hyperparameters["sparse.threshold"], "0.002", "nested settings flattened with dots")
        XCTAssertEqual(rows[2].note, "failed: retort: diverged")
        XCTAssertEqual(try cat.curves("study:lr-sweep/p000").metrics.rows.count, 2)
        XCTAssertThrowsError(try cat.delete(name: "study:lr-sweep/p000")) { e in XCTAssertTrue("\(e)".contains("belongs to the study lr-sweep")) }
        XCTAssertThrowsError(try cat.curves("study:../x"))
        XCTAssertEqual(RunCatalog(root: runs.path).scan().count, 0, "no studies root: none listed")
    }
}
