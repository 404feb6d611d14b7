/// Images drawn as terminal text: each character cell shows two pixel rows (top and
/// bottom half) in grey shading (`▀ ▄` where the halves differ, `░ ▒ ▓ █` where they
/// agree), or one ASCII ramp character per cell when the terminal is not UTF-8.
/// Colour images are shown by their mean over channels; values are scaled from
/// `range` to the ramp.
public enum ImagePreview {
    static let asciiRamp = Array(" .:-=+*#%@")
    static let shades = Array(" ░▒▓█")

    /// The text lines of image `index` of `part`, at most `maxWidth` cells wide.
    public static func lines(_ set: RawImageSet, part: ImageSamples, index: Int, utf8: Bool, maxWidth: Int = 32) -> [String] {
        let s = set.shape
        let range = set.valueRange ?? 0...1
        let span = range.upperBound - range.lowerBound
        let step = max(1, (s.width + maxWidth - 1) / maxWidth)
        let base = index * s.featureCount
        func level(_ y: Int, _ x: Int) -> Float {  // 0…1
            guard y < s.height else { return 0 }
            var sum: Float = 0
            for c in 0..<s.channels { sum += part.pixels[base + (y * s.width + x) * s.channels + c] }
            let v = sum / Float(s.channels)
            return span > 0 ? min(1, max(0, (v - range.lowerBound) / span)) : 0
        }
        var out = [String]()
        var y = 0
        while y < s.height {
            var line = ""
            for x in stride(from: 0, to: s.width, by: step) {
                let top = level(y, x), bottom = y + step < s.height ? level(y + step, x) : top
                if utf8 {
                    line.append(cell(top: top, bottom: bottom))
                } else {
                    line.append(asciiRamp[min(asciiRamp.count - 1, Int(((top + bottom) / 2) * Float(asciiRamp.count)))])
                }
            }
            out.append(line)
            y += 2 * step
        }
        return out
    }

    static func cell(top: Float, bottom: Float) -> Character {
        if abs(top - bottom) >= 0.5 { return top > bottom ? "▀" : "▄" }
        let mean = (top + bottom) / 2
        return shades[min(shades.count - 1, Int(mean * Float(shades.count)))]
    }

    /// Up to `count` images side by side, the first of each class in turn, each headed by its label.
    public static func gallery(_ set: RawImageSet, count: Int = 4, utf8: Bool) -> [String] {
        var picks = [Int]()
        var seen = Set<Int32>()
        for (i, l) in set.train.labels.enumerated() where !seen.contains(l) {
            seen.insert(l); picks.append(i)
            if picks.count == count { break }
        }
        if picks.isEmpty { return [] }
        let blocks = picks.map { i -> [String] in
            let label = Int(set.train.labels[i])
            let name = set.classNames.map { $0[label] } ?? String(label)
            return ["#\(i) \(name)"] + lines(set, part: set.train, index: i, utf8: utf8)
        }
        let widths = blocks.map { $0.map(\.count).max() ?? 0 }
        let height = blocks.map(\.count).max() ?? 0
        return (0..<height).map { row in
            blocks.indices.map { b in
                let text = row < blocks[b].count ? blocks[b][row] : ""
                return text + String(repeating: " ", count: widths[b] - text.count)
            }.joined(separator: "  ")
        }
    }
}
