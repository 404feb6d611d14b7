import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plot
import XCTest

/// PDF, SVG and PNG files are what their extension says; --format writes all three.
final class OutputFormatTests: XCTestCase {
    func testFormatsAreValid() throws {
        let tmp = TempDir()
        let figure = try SweepCharts.pareto(CSVTable.read(Fixtures.data("sweep/pareto.csv")))
        let written = try CairoRenderer.write(figure, to: tmp.path("p.pdf"), formats: [.pdf, .svg, .png])
        XCTAssertEqual(written, [tmp.path("p.pdf"), tmp.path("p.svg"), tmp.path("p.png")])
        let pdf = try Data(contentsOf: URL(fileURLWithPath: tmp.path("p.pdf")))
        XCTAssertEqual(Array(pdf.prefix(5)), Array("%PDF-".utf8))
        XCTAssertTrue(String(decoding: pdf.suffix(8), as: UTF8.self).contains("%%EOF"))
        if let pdfinfo = ["/usr/bin/pdfinfo", "/usr/local/bin/pdfinfo"].first(where: FileManager.default.isExecutableFile) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: pdfinfo)
            p.arguments = [tmp.path("p.pdf")]
            let pipe = Pipe(); p.standardOutput = pipe; p.standardError = pipe
            try p.run(); p.waitUntilExit()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(p.terminationStatus, 0, out)
            XCTAssertTrue(out.contains("244.8 x 165.6 pts"), out)   // 3.4 in × 2.3 in
        }
        let svg = try Data(contentsOf: URL(fileURLWithPath: tmp.path("p.svg")))
        let parser = XMLParser(data: svg)
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError))")
        XCTAssertTrue(String(decoding: svg, as: UTF8.self).contains("width=\"244.8pt\""))
        let png = try Data(contentsOf: URL(fileURLWithPath: tmp.path("p.png")))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // 300 dpi by default: 3.4 in = 1020 pixels wide (IHDR width, big-endian at byte 16)
        XCTAssertEqual(png[16..<20].reduce(0) { $0 << 8 | Int($1) }, 1020)
        XCTAssertEqual(PlotFormat(path: "x.PNG"), .png)
        XCTAssertThrowsError(try CairoRenderer.write(figure, to: tmp.path("p.gif"))) { e in
            XCTAssertTrue("\(e)".contains("p.gif: unknown format (allowed: .pdf, .svg, .png, or give --format)"), "\(e)")
        }
    }
}
