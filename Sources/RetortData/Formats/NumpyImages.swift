/// NumPy arrays as images and labels: `x` is uint8 or float32 (float64 is narrowed to
/// float32) of N×H×W, N×H×W×C or N×C×H×W; `y` holds one integer label per image.
enum NumpyImages {
    /// The images of `x` in NHWC order. A 4-d array's layout is `layout` when given,
    /// else inferred: channels-last when the last axis is 1, 3 or 4 and axis 1 is not,
    /// channels-first in the mirror case, channels-last when both could be channels.
    static func images(_ x: NpyArray, file: String, layout: ImageLayout?) throws -> (ImageShape, ImagePixels) {
        let s = x.shape
        let shape: ImageShape
        var chw = false
        switch s.count {
        case 3:
            if layout == .nchw { throw DataError(file: file, "layout: nchw needs a 4-d array, x has shape \(NpyArray.shapeText(s))") }
            shape = ImageShape(height: s[1], width: s[2], channels: 1)
        case 4:
            let chosen: ImageLayout
            if let layout {
                chosen = layout
            } else {
                let last = [1, 3, 4].contains(s[3]), second = [1, 3, 4].contains(s[1])
                if last { chosen = .nhwc } else if second { chosen = .nchw } else {
                    throw DataError(file: file, "shape: cannot tell channels in \(NpyArray.shapeText(s)) (declare the layout: nhwc or nchw)")
                }
            }
            chw = chosen == .nchw
            shape = chw ? ImageShape(height: s[2], width: s[3], channels: s[1]) : ImageShape(height: s[1], width: s[2], channels: s[3])
        default:
            throw DataError(file: file, "shape: x has shape \(NpyArray.shapeText(s)) (images are N×H×W, N×H×W×C or N×C×H×W)")
        }
        guard shape.featureCount > 0 else { throw DataError(file: file, "shape: x has shape \(NpyArray.shapeText(s)), an image with no pixels") }
        let n = s[0], hw = shape.height * shape.width, c = shape.channels
        /// Destination index in NHWC of source element `i`.
        func dest(_ i: Int) -> Int {
            guard chw else { return i }
            let img = i / (c * hw), rest = i % (c * hw), ch = rest / hw, p = rest % hw
            return img * c * hw + p * c + ch
        }
        let dt = x.dtype
        if dt.kind == .unsigned, dt.size == 1, !chw { return (shape, .uint8(x.data)) }  // already NHWC bytes
        return try x.data.withUnsafeBufferPointer { src in
            switch (dt.kind, dt.size) {
            case (.unsigned, 1):
                var out = [UInt8](repeating: 0, count: n * c * hw)
                for i in 0..<out.count { out[dest(i)] = src[i] }
                return (shape, .uint8(out))
            case (.float, _):
                var out = [Float](repeating: 0, count: n * c * hw)
                for i in 0..<out.count {
                    let v = dt.float(src, i)
                    guard v.isFinite else { throw DataError(file: file, "x: value \(v) at flat index \(i) is not finite (finite float32 values)") }
                    out[dest(i)] = v
                }
                return (shape, .float32(out))
            default:
                throw DataError(file: file, "dtype: x is \(dt) (images are uint8 '|u1' or float32 '<f4')")
            }
        }
    }

    /// The labels of `y`: a 1-d integer array (an N×1 column is accepted too).
    static func labels(_ y: NpyArray, file: String) throws -> [Int32] {
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw DataError(file: file, "shape: y has shape \(NpyArray.shapeText(y.shape)) (one integer label per image, shape (N,))")
        }
        guard y.dtype.kind == .unsigned || y.dtype.kind == .signed else {
            throw DataError(file: file, "dtype: y is \(y.dtype) (integer labels such as '|u1', '<i4', '<i8')")
        }
        let n = y.shape[0]
        return try y.data.withUnsafeBufferPointer { src in
            try LabelCheck.checked((0..<n).lazy.map { y.dtype.integer(src, $0) }, file: file, field: "y")
        }
    }
}
