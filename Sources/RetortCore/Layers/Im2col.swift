/// Shape of one 2-D convolution over NHWC images (square kernel, equal stride/padding).
struct ConvGeometry {
    let n: Int, h: Int, w: Int
    /// Channel stride of the input (its last dimension).
    let c: Int
    let k: Int, stride: Int, pad: Int
    let oh: Int, ow: Int

    init(n: Int, h: Int, w: Int, c: Int, k: Int, stride: Int, pad: Int) {
        self.n = n; self.h = h; self.w = w; self.c = c; self.k = k; self.stride = stride; self.pad = pad
        oh = (h + 2 * pad - k) / stride + 1
        ow = (w + 2 * pad - k) / stride + 1
        precondition(h + 2 * pad >= k && w + 2 * pad >= k && oh > 0 && ow > 0,
                     "Conv2d: kernel \(k) with padding \(pad) does not fit a \(h)×\(w) input")
    }
    var kk: Int { k * k }
    var outPixels: Int { oh * ow }
}

/// im2col / col2im for NHWC input with columns ordered (channel, ky, kx), i.e. the
/// PyTorch weight layout [out, in, k, k] flattened per output channel. A row per
/// output pixel (n, oy, ox); the row holds `channels · k²` values.
enum Im2col {
    /// Fills `cols` with the rows of images `images` (row 0 = first pixel of images.lowerBound),
    /// reading input channels `c0 ..< c0 + channels`. Out-of-image taps are zero.
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                       channelOffset c0: Int, channels cc: Int, into cols: UnsafeMutablePointer<Float>) {
        let kk = g.kk, rowLen = cc * kk
        // Chunks over output rows (image, oy): every chunk fills its own rows of `cols`.
        parallelChunks(images.count * g.oh, minChunk: 4) { _, local in
            for lr in local {
                let li = lr / g.oh, oy = lr % g.oh
                let img = x + (images.lowerBound + li) * g.h * g.w * g.c + c0
                var row = cols + lr * g.ow * rowLen
                for ox in 0..<g.ow {
                    for ky in 0..<g.k {
                        let iy = oy * g.stride - g.pad + ky
                        for kx in 0..<g.k {
                            let ix = ox * g.stride - g.pad + kx
                            let dst = row + ky * g.k + kx
                            if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
                                for c in 0..<cc { dst[c * kk] = 0 }
                            } else {
                                let src = img + (iy * g.w + ix) * g.c
                                for c in 0..<cc { dst[c * kk] = src[c] }
                            }
                        }
                    }
                    row += rowLen
                }
            }
        }
    }

    /// The adjoint of `im2col`: dx[taps] += cols rows. Images are processed in parallel;
    /// each image's dx region is written by one thread only.
    static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, images: Range<Int>,
                       channelOffset c0: Int, channels cc: Int, into dx: UnsafeMutablePointer<Float>) {
        let kk = g.kk, rowLen = cc * kk, perImage = g.outPixels * rowLen
        parallelChunks(images.count) { _, local in
            for li in local {
                let i = images.lowerBound + li
                let img = dx + i * g.h * g.w * g.c + c0
                var row = cols + li * perImage
                for oy in 0..<g.oh {
                    for ox in 0..<g.ow {
                        for ky in 0..<g.k {
                            let iy = oy * g.stride - g.pad + ky
                            if iy < 0 || iy >= g.h { continue }
                            for kx in 0..<g.k {
                                let ix = ox * g.stride - g.pad + kx
                                if ix < 0 || ix >= g.w { continue }
                                let src = row + ky * g.k + kx
                                let dst = img + (iy * g.w + ix) * g.c
                                for c in 0..<cc { dst[c] += src[c * kk] }
                            }
                        }
                        row += rowLen
                    }
                }
            }
        }
    }
}
