import XCTest
import Sweep

/// `conditions:` in a study file: explicit conditions, alone or × the axes' grid.
final class StudyConditionsTests: XCTestCase {
    let text = """
    name: cond
    command: train
    options: {epochs: 2}
    conditions:
      - {label: plain, method: base}
      - method: full
        model: cnn
    axes:
      lr: [0.1, 0.01]
    seeds: [1, 2]
    baseline: {condition: plain}
    """

    func testConditionsTimesAxesTimesSeedsInOrder() throws {
        let s = try TestCommands.parse(text)
        XCTAssertEqual(s.conditions.map(\.label), ["plain", "method=full,model=cnn"])
        XCTAssertEqual(s.conditions.map(\.line), [5, 6])
        let p = s.points
        XCTAssertEqual(p.count, 8)
        XCTAssertEqual(p.map(\.conditionKey), ["plain,lr=0.1", "plain,lr=0.1", "plain,lr=0.01", "plain,lr=0.01",
                                              "method=full,model=cnn,lr=0.1", "method=full,model=cnn,lr=0.1",
                                              "method=full,model=cnn,lr=0.01", "method=full,model=cnn,lr=0.01"])
        XCTAssertEqual(p[5].options.map(\.0), ["epochs", "method", "model", "lr"])
        XCTAssertEqual(p[5].options.map(\.1), ["2", "full", "cnn", "0.1"])
        XCTAssertEqual(p[5].condition.map(\.0), ["lr"])
        XCTAssertEqual(p[5].label, "method=full,model=cnn")
        XCTAssertEqual(s.baselineCondition(label: p[7].label, axes: p[7].condition), "plain,lr=0.01")
    }

    func testConditionsWithoutAxes() throws {
        let s = try TestCommands.parse("command: train\nconditions:\n  - {method: base}\n  - {method: full, lr: 0.5}\n")
        XCTAssertEqual(s.points.map(\.conditionKey), ["method=base", "method=full,lr=0.5"])
        XCTAssertEqual(s.points[1].options.map(\.0), ["method", "lr"])
    }

    func testManifestKeepsTheLabelAndCollectorPairsAgainstTheBaselineCondition() throws {
        let s = try TestCommands.parse("name: c\ncommand: train\nconditions:\n  - {label: b, method: base}\n  - {label: f, method: full}\nseeds: [1, 2]\nbaseline: {condition: b}\n")
        var m = Manifest(study: s)
        XCTAssertEqual(m.points.map(\.label), ["b", "b", "f", "f"])
        XCTAssertTrue(m.matches(s))
        for i in m.points.indices { m.points[i].state = .finished }
        let acc = [0.5, 0.6, 0.7, 0.5]
        let rows = m.points.map { Collector.Row(entry: $0, metrics: [("test_acc", acc[$0.index])]) }
        let p = Collector(study: s, manifest: m, rows: rows).paired
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p[0].condition, "f")
        XCTAssertEqual(p[0].baseline, "b")
        XCTAssertEqual(p[0].diff.mean, 0.05, accuracy: 1e-12)
        XCTAssertEqual(p[0].wins, 1)
        // an older manifest without labels still decodes
        let old = try JSONDecoder().decode(Manifest.Entry.self, from: Data(#"{"index":0,"id":"p000","condition":"all","axes":[],"seed":1,"options":[],"run":"runs/p000","state":"queued","attempts":0}"#.utf8))
        XCTAssertNil(old.label)
    }

    func testValueErrorsNameTheConditionsLine() {
        let e = TestCommands.error("command: train\nconditions:\n  - {method: base}\n  - method: full\n    lr: 7\n")
        XCTAssertEqual(e, "s.yaml:5: lr: must be in (0, 1], got 7.0 (condition method=full,lr=7)")
    }

    func testErrors() {
        func check(_ t: String, _ want: String, file: StaticString = #filePath, line: UInt = #line) {
            let e = TestCommands.error(t)
            XCTAssertTrue(e.hasPrefix(want), "\(e)", file: file, line: line)
        }
        check("command: train\nconditions: {method: base}\n", "s.yaml:2: conditions: expected a list of conditions, each a map of option names to values with an optional label:, got a mapping")
        check("command: train\nconditions: []\n", "s.yaml:2: conditions: empty list (give at least one condition)")
        check("command: train\nconditions:\n  - base\n", "s.yaml:3: conditions[1]: expected a map of option names to values with an optional label:, got")
        check("command: train\nconditions:\n  - {methd: base}\n", "s.yaml:3: conditions[1].methd: unknown option of train (options: epochs, lr")
        check("command: train\nconditions:\n  - {seed: 3}\n", "s.yaml:3: conditions[1].seed: set by the sweep")
        check("command: train\noptions: {method: kd}\nconditions:\n  - {method: base}\n", "s.yaml:4: conditions[1].method: also a fixed option (line 2); give it in one place")
        check("command: train\naxes: {lr: [0.1]}\nconditions:\n  - {lr: 0.2}\n", "s.yaml:4: conditions[1].lr: also an axis (line 2); give it in one place")
        check("command: train\nconditions:\n  - {label: x}\n", "s.yaml:3: conditions[1]: no options")
        check("command: train\nconditions:\n  - {method: base}\n  - {method: base}\n", "s.yaml:4: conditions[2]: the condition \"method=base\" is also on line 3")
        check("command: train\nconditions:\n  - {label: a, method: base}\n  - {label: a, method: full}\n", "s.yaml:4: conditions[2]: the condition \"a\" is also on line 3")
        check("command: train\nconditions:\n  - {label: 'a,b', method: base}\n", "s.yaml:3: conditions[1].label: \"a,b\" is not a label")
        check("command: train\nconditions:\n  - {label: a, method: base}\nbaseline: {condition: z}\n", "s.yaml:4: baseline.condition: \"z\" is not a condition's label (labels: a)")
    }
}
