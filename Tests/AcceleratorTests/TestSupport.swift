import Accelerator
import Foundation
import XCTest

/// Fixtures written by tools/scalesim/make_fixtures.py from real SCALE-Sim 3.0.0 runs.
enum Fixtures {
    static func url(_ name: String, _ ext: String) throws -> URL {
        guard let u = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            throw XCTSkip("fixture \(name).\(ext) missing (run tools/scalesim/make_fixtures.py)")
        }
        return u
    }
    static func text(_ name: String, _ ext: String) throws -> String {
        String(decoding: try Data(contentsOf: url(name, ext)), as: UTF8.self)
    }
    static func path(_ name: String, _ ext: String) throws -> String { try url(name, ext).path }

    /// CSV rows as header → value dictionaries.
    static func csv(_ name: String) throws -> [[String: String]] {
        let lines = try text(name, "csv").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, f))
        }
    }
}

/// Relative difference (0 when equal).
func relDiff(_ a: Double, _ b: Double) -> Double { a == b ? 0 : abs(a - b) / max(abs(a), abs(b)) }

/// Path of a repository file (for the committed config), from this source file's location.
func repoFile(_ rel: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(rel).path
}
