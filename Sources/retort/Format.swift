/// Right-aligns each column to its width (String(format:) ignores widths for %@ on Linux).
func columns(_ cells: [(String, Int)]) -> String {
    cells.map { s, w in s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }.joined(separator: " ")
}
