import Foundation
import XCTest

/// The UI draws Workbench snapshots only: no RetortUI source imports an engine module.
final class LayeringTests: XCTestCase {
    static let engines: Set<String> = ["TrainEngine", "Distill", "Attention", "Accelerator"]

    /// The module an `import` line names (`import X`, `@preconcurrency import X`,
    /// `import struct X.Y`), or nil for any other line.
    static func importedModule(_ line: String) -> String? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        while let w = words.first, w.hasPrefix("@") { words.removeFirst() }
        guard words.first == "import", words.count >= 2 else { return nil }
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
        let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
        return path.split(separator: ".").first.map(String.init)
    }

    func testImportLinesAreRead() {
        XCTAssertEqual(Self.importedModule("import Accelerator"), "Accelerator")
        XCTAssertEqual(Self.importedModule("@preconcurrency import Distill"), "Distill")
        XCTAssertEqual(Self.importedModule("import struct Attention.ViTConfig"), "Attention")
        XCTAssertNil(Self.importedModule("// import TrainEngine"))
        XCTAssertNil(Self.importedModule("let importance = 1"))
    }

    func testRetortUIImportsNoEngine() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/RetortUI")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") } ?? []
        XCTAssertGreaterThan(files.count, 10, "RetortUI sources not found at \(sources.path)")
        var found: [String] = []
        for f in files.sorted() {
            let text = try String(contentsOf: sources.appendingPathComponent(f), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let m = Self.importedModule(String(line)), Self.engines.contains(m) { found.append("\(f):\(i + 1): import \(m)") }
            }
        }
        XCTAssertEqual(found, [], "RetortUI must draw Workbench snapshots, not engine types")
    }
}
