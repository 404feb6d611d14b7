/// The one normalisation every text reader applies to what other tools write: a UTF-8
/// byte-order mark at the start is dropped, lines end at `\n` with a `\r` before it removed
/// (so CRLF files read as LF files), and spaces and tabs at the end of a line are ignored.
/// Line numbers are 1-based and count every line, blank ones included, so messages point
/// at the line an editor shows.
///
/// Splitting a Swift `String` on `"\n"` does not do this: `"\r\n"` is one `Character`, so a
/// CRLF file would be a single line.
public struct TextLine: Sendable, Equatable {
    /// 1-based line number in the file.
    public let number: Int
    /// The line without its ending, without trailing spaces and tabs.
    public let text: Substring

    public init(number: Int, text: Substring) { self.number = number; self.text = text }
}

public enum TextLines {
    /// The UTF-8 byte-order mark.
    public static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Every line of `text` (see `TextLine`). A final line ending does not start another line.
    public static func split(_ text: String) -> [TextLine] {
        let scalars = withoutBOM(text).unicodeScalars
        var lines: [TextLine] = []
        var start = scalars.startIndex, i = start, number = 1
        while i < scalars.endIndex {
            if scalars[i] == "\n" {
                lines.append(TextLine(number: number, text: trimmedEnd(Substring(scalars[start..<i]))))
                number += 1
                start = scalars.index(after: i)
            }
            i = scalars.index(after: i)
        }
        if start < scalars.endIndex { lines.append(TextLine(number: number, text: trimmedEnd(Substring(scalars[start..<scalars.endIndex])))) }
        return lines
    }

    /// `text` without a leading byte-order mark, line endings as LF and line ends trimmed:
    /// for readers that hand the whole text on (JSON).
    public static func normalized(_ text: String) -> String {
        split(text).map(\.text).joined(separator: "\n")
    }

    /// Decodes bytes as UTF-8 (invalid sequences become U+FFFD) without the byte-order mark.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        withoutBOM(String(decoding: bytes, as: UTF8.self))
    }

    /// Bytes of a byte-order mark at the start of `buf` (0 or 3), for byte-level readers.
    /// "UTF-16" or "UTF-32" when `buf` starts with the byte-order mark of that encoding (a
    /// spreadsheet's "Unicode text"): byte-level readers name it instead of misparsing it.
    public static func wideEncoding(_ buf: UnsafeBufferPointer<UInt8>) -> String? {
        if buf.count >= 4 && ((buf[0] == 0xFF && buf[1] == 0xFE && buf[2] == 0 && buf[3] == 0)
                              || (buf[0] == 0 && buf[1] == 0 && buf[2] == 0xFE && buf[3] == 0xFF)) { return "UTF-32" }
        if buf.count >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF)) { return "UTF-16" }
        return nil
    }

    public static func bomLength(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        buf.count >= 3 && buf[0] == bom[0] && buf[1] == bom[1] && buf[2] == bom[2] ? 3 : 0
    }

    /// The end of a line's content for byte-level readers: `end` points at the `\n` (or the end
    /// of the data); a `\r` and spaces/tabs before it are stepped over.
    @inline(__always)
    public static func contentEnd(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var e = end
        if e > start && e[-1] == 0x0D { e -= 1 }
        while e > start && (e[-1] == 0x20 || e[-1] == 0x09) { e -= 1 }
        return e
    }

    static func withoutBOM(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }

    /// Drops a trailing `\r`, then trailing spaces and tabs.
    static func trimmedEnd(_ line: Substring) -> Substring {
        var s = line.unicodeScalars[...]
        if s.last == "\r" { s = s.dropLast() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return Substring(s)
    }
}
