import CCairo
import Foundation

/// An output format, chosen from the file's extension.
public enum PlotFormat: String, CaseIterable, Sendable {
    case pdf, svg, png
    public init?(path: String) { self.init(rawValue: (path as NSString).pathExtension.lowercased()) }
}

public struct PlotError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Draws a figure's scene with cairo: PDF and SVG as vectors with text as text (the PDF
/// embeds a subset of the font), PNG at `dpi` on a white background.
public enum CairoRenderer {
    public static func write(_ figure: Figure, to path: String, format: PlotFormat, dpi: Double = 300) throws {
        let scene = figure.scene()
        switch format {
        case .pdf, .svg:
            let surface = format == .pdf ? cairo_pdf_surface_create(path, figure.width, figure.height)
                                         : cairo_svg_surface_create(path, figure.width, figure.height)
            defer { cairo_surface_destroy(surface) }
            if format == .svg { cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1) }
            try check(surface, path)
            let cr = cairo_create(surface)!
            draw(scene, cr)
            cairo_destroy(cr)
            cairo_surface_finish(surface)
            try check(surface, path)
        case .png:
            let surface = try image(figure, scene: scene, dpi: dpi)
            defer { cairo_surface_destroy(surface) }
            let status = cairo_surface_write_to_png(surface, path)
            guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("\(path): cannot write the PNG (\(String(cString: cairo_status_to_string(status))))") }
        }
    }

    /// The figure as an ARGB32 image at `dpi` (white background).
    public static func image(_ figure: Figure, scene: [Primitive]? = nil, dpi: Double) throws -> OpaquePointer {
        let scale = dpi / 72
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32((figure.width * scale).rounded()), Int32((figure.height * scale).rounded()))!
        try check(surface, "image")
        let cr = cairo_create(surface)!
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale, scale)
        draw(scene ?? figure.scene(), cr)
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        return surface
    }

    static func check(_ surface: OpaquePointer?, _ path: String) throws {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("\(path): \(String(cString: cairo_status_to_string(status)))") }
    }

    static func setColor(_ cr: OpaquePointer, _ c: Color) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }

    static func draw(_ scene: [Primitive], _ cr: OpaquePointer) {
        cairo_select_font_face(cr, Style.fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        for p in scene {
            switch p {
            case .path(let pts, let stroke, let fill, let width, let dashed):
                guard let first = pts.first else { continue }
                cairo_new_path(cr)
                cairo_move_to(cr, first.x, first.y)
                for q in pts.dropFirst() { cairo_line_to(cr, q.x, q.y) }
                if let fill {
                    cairo_close_path(cr)
                    setColor(cr, fill)
                    if stroke != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
                }
                if let stroke {
                    setColor(cr, stroke)
                    cairo_set_line_width(cr, width)
                    var dash: [Double] = [3, 2]
                    cairo_set_dash(cr, &dash, dashed ? 2 : 0, 0)
                    cairo_stroke(cr)
                }
            case .circle(let c, let r, let stroke, let fill, let width):
                cairo_new_path(cr)
                cairo_arc(cr, c.x, c.y, r, 0, 2 * .pi)
                if let fill { setColor(cr, fill); cairo_fill_preserve(cr) }
                if let stroke { setColor(cr, stroke); cairo_set_line_width(cr, width); cairo_set_dash(cr, nil, 0, 0); cairo_stroke(cr) }
                cairo_new_path(cr)
            case .text(let s, let at, let size, let anchor, let vertical, let color):
                cairo_set_font_size(cr, size)
                var ext = cairo_text_extents_t()
                cairo_text_extents(cr, s, &ext)
                let shift = anchor == .start ? 0 : anchor == .middle ? ext.x_advance / 2 : ext.x_advance
                cairo_save(cr)
                cairo_translate(cr, at.x, at.y)
                if vertical { cairo_rotate(cr, -.pi / 2) }
                cairo_move_to(cr, -shift, 0)
                setColor(cr, color)
                cairo_show_text(cr, s)
                cairo_restore(cr)
            case .clip(let x, let y, let w, let h):
                cairo_save(cr)
                cairo_rectangle(cr, x, y, w, h)
                cairo_clip(cr)
            case .unclip:
                cairo_restore(cr)
            }
        }
    }

    /// Writes `figure` to `path` (format from its extension), or, given `formats`, to the
    /// same name with each format's extension. Returns the files written.
    public static func write(_ figure: Figure, to path: String, formats: [PlotFormat]? = nil, dpi: Double = 300) throws -> [String] {
        let targets: [(String, PlotFormat)]
        if let formats, !formats.isEmpty {
            let base = PlotFormat(path: path) != nil ? (path as NSString).deletingPathExtension : path
            targets = formats.map { (base + "." + $0.rawValue, $0) }
        } else {
            guard let f = PlotFormat(path: path) else { throw PlotError("--out: \(path): unknown format (allowed: .pdf, .svg, .png, or give --format)") }
            targets = [(path, f)]
        }
        for (p, f) in targets { try write(figure, to: p, format: f, dpi: dpi) }
        return targets.map(\.0)
    }
}
