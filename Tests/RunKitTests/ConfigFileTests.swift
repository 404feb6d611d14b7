import Foundation
import RetortData
import RunKit
import XCTest

/// A config struct with every kind of key the reader handles (numbers, whole numbers, seeds,
/// booleans, choices, lists, a nested struct, an optional, an alias and an ignored key).
struct ProbeConfig: FileConfigurable, Equatable {
    enum Mode: String, Codable, CaseIterable { case fast, slowMode = "slow-mode" }
    struct Inner: Codable, Equatable { var threshold: Float = 0.5; var bits: Int = 4 }
    var learningRate: Float = 0.1
    var batchSize: Int = 32
    var seed: UInt64 = 1
    var nesterov = true
    var mode: Mode = .fast
    var hidden: [Int] = [4, 4]
    var inner = Inner()
    var testCount: Int? = nil
    var tau: Double = 0
    var runName: String? = nil

    static var fileTemplate: ProbeConfig { var p = ProbeConfig(); p.testCount = 1; p.runName = "x"; return p }
    static var fileAliases: [String: String] { ["lr": "learningRate", "inner-bits": "inner.bits"] }
    static var fileIgnoredKeys: Set<String> { ["runName"] }
}

final class ConfigFileTests: XCTestCase {
    func read(_ text: String) throws -> ProbeConfig { try ConfigFile.parse(ProbeConfig.self, bytes: Array(text.utf8), path: "f.yaml").config }

    func message(_ text: String) -> String {
        do { _ = try read(text); return "accepted" } catch { return "\(error)" }
    }

    func testCamelKebabSnakeAndAliasNameTheSameKey() throws {
        for key in ["learningRate", "learning-rate", "learning_rate", "lr"] {
            XCTAssertEqual(try read("\(key): 0.25\n").learningRate, 0.25, key)
        }
        XCTAssertEqual(try read("batch_size: 8\n").batchSize, 8)
    }

    func testKeysNotInTheFileKeepTheDefaults() throws {
        var want = ProbeConfig()
        want.seed = 7
        XCTAssertEqual(try read("# a comment\nseed: 7   # trailing comment\n"), want)
    }

    func testUnknownKeyNamesFileLineAndTheKeys() {
        XCTAssertEqual(message("batch-size: 8\nlearning-rat: 1\n"),
                       "f.yaml:2: learning-rat: unknown key (keys: learning-rate, batch-size, seed, nesterov, mode, hidden, inner, test-count, tau, run-name)")
    }

    func testWrongTypesNameFileLineAndKey() {
        XCTAssertEqual(message("seed: 2\nlr: abc\n"), "f.yaml:2: lr: expected a number, got \"abc\"")
        XCTAssertEqual(message("batch-size: 2.5\n"), "f.yaml:1: batch-size: expected a whole number, got \"2.5\"")
        XCTAssertEqual(message("seed: -1\n"), "f.yaml:1: seed: expected a whole number ≥ 0, got \"-1\"")
        XCTAssertEqual(message("nesterov: maybe\n"), "f.yaml:1: nesterov: expected true or false, got \"maybe\"")
        XCTAssertEqual(message("mode: turbo\n"), "f.yaml:1: mode: must be one of fast, slow-mode, got \"turbo\"")
        XCTAssertEqual(message("lr: [1, 2]\n"), "f.yaml:1: lr: expected a number, got a list")
        XCTAssertEqual(message("lr: .nan\n"), "f.yaml:1: lr: expected a number, got \".nan\"")
        XCTAssertEqual(message("lr: 1e39\n"), "f.yaml:1: lr: \"1e39\" is too large for this value")
        XCTAssertEqual(message("seed:\n"), "f.yaml:1: seed: expected a whole number ≥ 0, got nothing")
        XCTAssertEqual(message("hidden:\n  - 3\n  - x\n"), "f.yaml:3: hidden[1]: expected a whole number, got \"x\"")
    }

    func testValuesOfEveryKind() throws {
        let c = try read("""
            nesterov: off
            mode: slow-mode
            hidden: 8,16
            test-count: 100
            tau: -0.25
            seed: 18446744073709551615
            """)
        XCTAssertEqual(c.nesterov, false)
        XCTAssertEqual(c.mode, .slowMode)
        XCTAssertEqual(c.hidden, [8, 16])
        XCTAssertEqual(c.testCount, 100)
        XCTAssertEqual(c.tau, -0.25)
        XCTAssertEqual(c.seed, UInt64.max)
        XCTAssertEqual(try read("hidden: [1, 2, 3]\n").hidden, [1, 2, 3])
        XCTAssertNil(try read("test-count: null\n").testCount)
    }

    func testNestedMappingsAndAliasesIntoThem() throws {
        let c = try read("inner:\n  threshold: 0.25\n")
        XCTAssertEqual(c.inner, ProbeConfig.Inner(threshold: 0.25, bits: 4))
        XCTAssertEqual(try read("inner-bits: 8\n").inner, ProbeConfig.Inner(threshold: 0.5, bits: 8))
        XCTAssertEqual(message("inner:\n  threshold: 0.25\n  colour: red\n"), "f.yaml:3: inner.colour: unknown key (keys: threshold, bits)")
        XCTAssertEqual(message("inner: 3\n"), "f.yaml:1: inner: expected a mapping of keys (threshold, bits), got \"3\"")
    }

    func testDuplicateKeysNameBothLines() {
        XCTAssertEqual(message("seed: 1\nlr: 0.1\nseed: 2\n"), "f.yaml:3: seed: duplicate key (first on line 1)")
        XCTAssertEqual(message("batch-size: 1\nbatchSize: 2\n"), "f.yaml:2: batchSize: duplicate key (first on line 1 as batch-size)")
        XCTAssertEqual(message("inner:\n  bits: 2\ninner-bits: 3\n"), "f.yaml:3: inner-bits: duplicate key (first on line 2 as inner.bits)")
    }

    func testBOMCRLFAndTrailingBlanksAreAccepted() throws {
        let bytes = [0xEF, 0xBB, 0xBF] + Array("seed: 3  \r\nbatch-size: 8\r\n\r\n   \r\n".utf8)
        let c = try ConfigFile.parse(ProbeConfig.self, bytes: bytes, path: "f.yaml").config
        XCTAssertEqual(c.seed, 3)
        XCTAssertEqual(c.batchSize, 8)
    }

    func testEmptyNonMappingNonUTF8AndTooLargeFilesAreOneLine() {
        XCTAssertEqual(message(""), "f.yaml:1: empty config file (expected keys and values, e.g. epochs: 2)")
        XCTAssertEqual(message("# only a comment\n"), "f.yaml:1: empty config file (expected keys and values, e.g. epochs: 2)")
        XCTAssertEqual(message("- 1\n- 2\n"), "f.yaml:1: expected keys and values at the top (e.g. epochs: 2), got a list")
        XCTAssertTrue(message("seed: [1\n").hasPrefix("f.yaml:2: not valid YAML: "), message("seed: [1\n"))
        func bytesMessage(_ b: [UInt8]) -> String {
            do { _ = try ConfigFile.parse(ProbeConfig.self, bytes: b, path: "f.yaml"); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(bytesMessage([0x73, 0x65, 0xFF]), "f.yaml: not UTF-8 text (expected a YAML or JSON config file)")
        XCTAssertEqual(bytesMessage(Array(repeating: 0x20, count: ConfigFile.maxBytes + 1)),
                       "f.yaml: too large for a config file (1048577 bytes; at most 1048576)")
    }

    func testAJSONDumpReadsBackExactlyAndItsIgnoredKeyIsNotTaken() throws {
        var c = ProbeConfig()
        c.learningRate = 0.1 + 1e-7; c.tau = 1 / 3; c.seed = 12345678901234567; c.hidden = [7]; c.testCount = 9
        c.inner.threshold = 0.002; c.mode = .slowMode; c.runName = "old-run"
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text = String(decoding: try enc.encode(c), as: UTF8.self)
        var want = c
        want.runName = nil
        XCTAssertEqual(try read(text), want)
    }

    func testAliasesAreRefusedBeforeParsing() throws {
        XCTAssertEqual(message("a: &x 1\nseed: *x\n"), "f.yaml:2: YAML aliases (*name) are not read in config files")
        XCTAssertEqual(message("hidden: [1, *x]\n"), "f.yaml:1: YAML aliases (*name) are not read in config files")
        XCTAssertEqual(message("? *x\n: 1\n"), "f.yaml:1: YAML aliases (*name) are not read in config files")
        // a * inside a value, a quoted string or a comment is not an alias
        XCTAssertEqual(try read("runName: \"*x\"\ntau: 2  # *x\n").tau, 2)
        XCTAssertEqual(try read("runName: a*b\n").tau, 0)
    }

    func testLocateNamesTheLineOfAValueFromTheFile() throws {
        let f = try ConfigFile.parse(ProbeConfig.self, bytes: Array("seed: 1\nbatch-size: 0\n".utf8), path: "f.yaml")
        XCTAssertEqual(f.locate("batch-size: must be ≥ 1, got 0"), "f.yaml:2: batch-size: must be ≥ 1, got 0")
        XCTAssertEqual(f.locate("lr: must be > 0, got 0"), "f.yaml: lr: must be > 0, got 0")
        XCTAssertTrue(f.sets("seed"))
        XCTAssertFalse(f.sets("learningRate"))
    }

    func testMissingFileAndFolderAreOneLine() {
        XCTAssertThrowsError(try ConfigFile.read(ProbeConfig.self, path: "/nonexistent/c.yaml")) {
            XCTAssertEqual("\($0)", "/nonexistent/c.yaml: cannot read the config file (no such file)")
        }
        let dir = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try ConfigFile.read(ProbeConfig.self, path: dir)) {
            XCTAssertEqual("\($0)", "\(dir): is a folder (expected a YAML or JSON config file)")
        }
    }
}

/// A data file's sidecar (`FILE.yaml`) declares what the file cannot say; flags win over it.
final class DataSidecarTests: XCTestCase {
    func testSidecarFillsUnsetFieldsAndResolvesItsTestPath() throws {
        let dir = NSTemporaryDirectory() + "retort-sidecar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = dir + "/train.csv"
        FileManager.default.createFile(atPath: data, contents: Data("1,2,3,4,0\n".utf8))
        XCTAssertNil(DataReadSettings.sidecarPath(of: data))
        XCTAssertEqual(try DataReadSettings(shape: "2x2").withSidecar(of: data), DataReadSettings(shape: "2x2"))
        FileManager.default.createFile(atPath: data + ".yaml", contents: Data("label_column: first\nheader: false\nshape: 1x4\ntest: test.csv\n".utf8))
        let s = try DataReadSettings(shape: "2x2").withSidecar(of: data)
        XCTAssertEqual(s.shape, "2x2", "a flag wins over the sidecar")
        XCTAssertEqual(s.labelColumn, "first")
        XCTAssertEqual(s.header, false)
        XCTAssertEqual(s.test, dir + "/test.csv")
        XCTAssertEqual(try s.loadOptions().csv, CSVColumns(label: .first, header: false))
        FileManager.default.createFile(atPath: data + ".yaml", contents: Data("label: first\n".utf8))
        XCTAssertThrowsError(try DataReadSettings().withSidecar(of: data)) { e in
            XCTAssertTrue("\(e)".contains("train.csv.yaml:1: label: unknown key"), "\(e)")
        }
    }
}
