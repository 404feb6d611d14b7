import XCTest
import Sweep

final class ManifestTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    let text = "name: m\ncommand: train\noptions: {epochs: 1}\naxes:\n  lr: [0.1, 0.2]\nseeds: [1, 2, 3, 4]\n"

    func testEightThreadsUpdatingTheManifestLoseNoUpdate() throws {
        let study = try TestCommands.parse(text)
        let folder = try StudyFolder.open(study, root: root, new: false)
        // every thread opens its own lock descriptor, so flock excludes threads as it excludes processes
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for _ in 0..<25 {
                try! folder.store.update { m in m.points[t].attempts += 1 }
            }
        }
        let m = try folder.store.read()
        XCTAssertEqual(m.points.prefix(8).map(\.attempts), Array(repeating: 25, count: 8))
        XCTAssertTrue(m.matches(study))
    }

    func testFolderIsReusedRefusedOrRenewed() throws {
        let study = try TestCommands.parse(text)
        let a = try StudyFolder.open(study, root: root, new: false)
        XCTAssertEqual(a.url.lastPathComponent, "m")
        for f in ["study.yaml", "manifest.json", "points/p000.yaml", "runs", "logs"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: a.url.appendingPathComponent(f).path), f)
        }
        XCTAssertEqual(try String(contentsOf: a.url.appendingPathComponent("points/p005.yaml"), encoding: .utf8), "epochs: \"1\"\nlr: \"0.2\"\n")
        XCTAssertEqual(try StudyFolder.open(study, root: root, new: false).url.path, a.url.path)
        let changed = try TestCommands.parse(text.replacingOccurrences(of: "0.2]", with: "0.3]"))
        XCTAssertThrowsError(try StudyFolder.open(changed, root: root, new: false)) { e in
            XCTAssertTrue("\(e)".hasPrefix("s.yaml: the study's points differ from those in "), "\(e)")
            XCTAssertTrue("\(e)".contains("pass --new to start m-2"), "\(e)")
        }
        let b = try StudyFolder.open(changed, root: root, new: true)
        XCTAssertEqual(b.url.lastPathComponent, "m-2")
        XCTAssertEqual(StudyFolder.find(changed, root: root)?.url.path, b.url.path)
        XCTAssertEqual(StudyFolder.find(study, root: root)?.url.path, a.url.path)
    }

    func testLaunchArguments() throws {
        let study = try TestCommands.parse(text)
        let folder = try StudyFolder.open(study, root: root, new: false)
        let m = try folder.store.read()
        let l = PointLauncher(study: study, folder: folder, threads: 2)
        XCTAssertEqual(try l.start(m.points[1]), .fresh)
        XCTAssertEqual(l.arguments(m.points[1], .fresh),
                       ["train", "--config", folder.url.path + "/points/p001.yaml", "--runs", folder.url.path + "/runs", "--name", "p001",
                        "--seed", "2", "--threads", "2", "--plain"])
        // a run folder with a checkpoint resumes; one without is removed and starts again
        let run = folder.url.appendingPathComponent("runs/p001")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        XCTAssertEqual(try l.start(m.points[1]), .fresh)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path))
        try FileManager.default.createDirectory(at: run.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        try Data().write(to: run.appendingPathComponent("checkpoints/step-00000010.ckpt"))
        guard case .resume(let from) = try l.start(m.points[1]) else { return XCTFail("not resumed") }
        XCTAssertEqual(from.path, run.path)
        XCTAssertEqual(l.arguments(m.points[1], .resume(run)), ["resume", run.path, "--threads", "2", "--plain"])

        let sim = try TestCommands.parse("command: sim vitality\naxes:\n  linear: [true, false]\n  dim: [64]\n")
        let sf = try StudyFolder.open(sim, root: root, new: false)
        let sm = try sf.store.read()
        let sl = PointLauncher(study: sim, folder: sf, threads: 1)
        XCTAssertEqual(sl.arguments(sm.points[0], .fresh), ["sim", "vitality", "--linear", "--dim", "64"])
        XCTAssertEqual(sl.arguments(sm.points[1], .fresh), ["sim", "vitality", "--dim", "64"])
    }

    func testStaleWorkers() throws {
        let study = try TestCommands.parse(text)
        let folder = try StudyFolder.open(study, root: root, new: false)
        let x = LocalExecutor(study: study, folder: folder, executable: "/bin/true", workers: 1, threads: 1, progress: nil)
        let host = ProcessInfo.processInfo.hostName
        XCTAssertFalse(x.isStale("\(host):\(getpid())"))
        XCTAssertTrue(x.isStale("\(host):999999999"))
        XCTAssertFalse(x.isStale("another-host:1"))
        XCTAssertTrue(x.isStale(nil))
    }
}
