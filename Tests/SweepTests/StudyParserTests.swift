import XCTest
import Sweep

final class StudyParserTests: XCTestCase {
    func testGridWithSeedsIsPairedAndOrdered() throws {
        let s = try TestCommands.parse("""
        name: demo
        command: train
        options: {epochs: 2, model: mlp}
        axes:
          method: [full, base]
          lr: [0.1, 0.01]
        seeds: [1, 2, 3]
        baseline: {method: base}
        """)
        XCTAssertEqual(s.name, "demo")
        let p = s.points
        XCTAssertEqual(p.count, 12)
        XCTAssertEqual(p[0].conditionKey, "method=full,lr=0.1")
        XCTAssertEqual(p.prefix(3).map(\.seed), [1, 2, 3])
        XCTAssertEqual(p[3].conditionKey, "method=full,lr=0.01")
        XCTAssertEqual(p[11].conditionKey, "method=base,lr=0.01")
        XCTAssertEqual(p[11].id, "p011")
        XCTAssertEqual(p[4].options.map(\.0), ["epochs", "model", "method", "lr"])
        XCTAssertEqual(s.baselineCondition(of: p[4].condition), "method=base,lr=0.01")
    }

    func testNameDefaultsToTheFileStem() throws {
        let s = try StudyParser.parse(bytes: Array("command: train\n".utf8), path: "dir/my-study.yaml", commands: TestCommands.all)
        XCTAssertEqual(s.name, "my-study")
        XCTAssertEqual(s.points.count, 1)
        XCTAssertEqual(s.points[0].conditionKey, "all")
    }

    func testRangesAndLogRanges() throws {
        let s = try TestCommands.parse("""
        command: train
        axes:
          epochs: {from: 1, to: 7, step: 3}
          lr: {from: 0.01, to: 1, count: 3, log: true}
          batch-size: {from: 0.5, to: 1.0, step: 0.25}
        """)
        XCTAssertEqual(s.axes[0].values, ["1", "4", "7"])
        XCTAssertEqual(s.axes[1].values, ["0.01", "0.1", "1"])
        XCTAssertEqual(s.axes[2].values, ["0.5", "0.75", "1"])
        XCTAssertEqual(StudyExpansion.spaced(from: 1e-3, to: 1e-1, count: 5, log: true, integral: false),
                       ["0.001", "0.00316228", "0.01", "0.0316228", "0.1"])
    }

    func testRandomSamplingIsSeededAndDrawsDistinctConditions() throws {
        let text = """
        command: train
        axes:
          epochs: [1, 2, 3, 4]
          lr: [0.1, 0.2, 0.3]
        sampling: {random: 5, seed: 7}
        """
        let a = try TestCommands.parse(text).points.map(\.conditionKey)
        let b = try TestCommands.parse(text).points.map(\.conditionKey)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, 5)
        XCTAssertEqual(Set(a).count, 5)
        let c = try TestCommands.parse(text.replacingOccurrences(of: "seed: 7", with: "seed: 8")).points.map(\.conditionKey)
        XCTAssertNotEqual(a, c)
        // more than the grid: the whole grid
        let all = try TestCommands.parse(text.replacingOccurrences(of: "random: 5", with: "random: 50")).points
        XCTAssertEqual(all.count, 12)
    }

    func testErrorsAreOneLineWithFileLineAndKey() {
        XCTAssertEqual(TestCommands.error("command: train\noptions:\n  epochz: 3\n"),
                       "s.yaml:3: options.epochz: unknown option of train (options: epochs, lr, model, data, method, batch-size)")
        XCTAssertEqual(TestCommands.error("command: fly\n"), "s.yaml:1: command: unknown command \"fly\" (one of train, sim vitality)")
        XCTAssertEqual(TestCommands.error("command: train\nseeds: [1, 1]\n"), "s.yaml:2: seeds: a seed is listed twice (paired seeds must differ)")
        XCTAssertEqual(TestCommands.error("command: train\naxes:\n  lr: {from: 1, to: 2}\n"),
                       "s.yaml:3: axes.lr: missing step (a list, {from, to, step} or {from, to, count, log: true})")
        XCTAssertEqual(TestCommands.error("command: train\naxes:\n  seed: [1, 2]\n"),
                       "s.yaml:3: axes.seed: set by the sweep for every point (seeds: lists the seeds; threads and run folders come from `retort sweep`)")
        XCTAssertEqual(TestCommands.error("command: train\nbaseline: {method: base}\n"), "s.yaml:2: baseline.method: not an axis (axes: )")
        XCTAssertEqual(TestCommands.error("command: train\nwhat: 1\n"), "s.yaml:2: what: unknown key (keys: name, command, options, conditions, axes, sampling, seeds, baseline)")
        XCTAssertEqual(TestCommands.error("options: {}\n"), "s.yaml:1: command: missing (one of train, sim vitality)")
    }

    func testValuesAreCheckedByTheCommandsReaderAtTheStudyLine() {
        XCTAssertEqual(TestCommands.error("command: train\naxes:\n  method: [a, b]\n  lr: [0.1, 5]\n"),
                       "s.yaml:4: lr: must be in (0, 1], got 5.0 (condition method=a,lr=5)")
    }

    func testPointConfigQuotesValues() {
        XCTAssertEqual(PointConfig.yaml([("data", "a: \"b\"\\c"), ("epochs", "2")]), "data: \"a: \\\"b\\\"\\\\c\"\nepochs: \"2\"\n")
    }
}
