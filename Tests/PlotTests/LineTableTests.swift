import Foundation
import Plot
import XCTest

final class LineTableTests: XCTestCase {
    static let csv = """
    model,kind,batch,threads,framework,ms_per_step,images_per_s
    vit-mnist,softmax,8,2,retort,4.0,2000
    vit-mnist,softmax,1,2,retort,1.0,1000
    vit-mnist,taylor,1,2,retort,1.0,1000
    vit-mnist,taylor,8,2,retort,3.2,2500
    vit-mnist,softmax,1,2,pytorch,2.0,500

    """

    /// One line per series value, points in x order, filters keep only their rows.
    func testSeriesFiltersAndOrder() throws {
        let t = try CSVTable.parse(Self.csv, file: "bench.csv")
        let f = try LineTable.figure(t, x: "batch", y: "images_per_s", series: ["kind"], filters: [("framework", "retort")])
        XCTAssertEqual(f.legend.map(\.label), ["softmax", "taylor"])
        XCTAssertEqual(f.x.label, "batch"); XCTAssertEqual(f.y.label, "images per s")
        let lines = f.marks.compactMap { m -> [DataPoint]? in if case .line(let p, _, _, _) = m { return p }; return nil }
        XCTAssertEqual(lines, [[DataPoint(1, 1000), DataPoint(8, 2000)], [DataPoint(1, 1000), DataPoint(8, 2500)]])
        let both = try LineTable.figure(t, x: "batch", y: "images_per_s", series: ["framework", "kind"])
        XCTAssertEqual(both.legend.map(\.label), ["retort softmax", "retort taylor", "pytorch softmax"])
    }

    func testErrorsNameTheColumnsAndFilters() throws {
        let t = try CSVTable.parse(Self.csv, file: "bench.csv")
        XCTAssertThrowsError(try LineTable.figure(t, x: "n", y: "images_per_s", series: [])) { e in
            XCTAssertEqual("\(e)", "bench.csv: lines: no column 'n' (columns: model, kind, batch, threads, framework, ms_per_step, images_per_s)")
        }
        XCTAssertThrowsError(try LineTable.figure(t, x: "batch", y: "images_per_s", series: [], filters: [("kind", "sanger")])) { e in
            XCTAssertEqual("\(e)", "bench.csv: lines: no rows match kind=sanger")
        }
    }
}
