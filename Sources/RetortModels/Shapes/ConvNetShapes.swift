extension LayerShapes {
    /// The MLP `inputs → hidden… → classes` on one input (M = 1), each hidden width scaled
    /// by its factor in `width` as `MLP.setWidth` does (nil: the base widths). Layers are
    /// named as `MLP` names them: fc1, fc2, …, classifier.
    public static func mlp(name: String, inputs: Int, hidden: [Int], classes: Int, width: [Float]? = nil) -> LayerShapes {
        precondition(width == nil || width!.count == hidden.count, "one width factor per hidden layer")
        var layers: [LayerShape] = [], fanIn = inputs
        for (i, h) in hidden.enumerated() {
            let out = RetortModels.scaled(h, width?[i] ?? 1)
            layers.append(.matmul(MatmulShape(name: "fc\(i + 1)", m: 1, k: fanIn, n: out)))
            fanIn = out
        }
        layers.append(.matmul(MatmulShape(name: "classifier", m: 1, k: fanIn, n: classes)))
        return LayerShapes(name: name, layers: layers)
    }
}

extension TinyCNNConfig {
    /// Width groups as `TinyCNN` counts them: the stem, every block without a shortcut, the head.
    public var widthGroups: Int {
        var g = 1, inBase = stem
        for b in blocks { if !(b.stride == 1 && b.out == inBase) { g += 1 }; inBase = b.out }
        return g + 1
    }

    /// The network's layers on one image, at `width` (per width group / per block factors,
    /// as `TinyCNN.setWidth` applies them; nil: the base widths): the 3×3 stem, per block the
    /// 1×1 expansion (unless the ratio is 1), the k×k depthwise (3×3 unless the block sets its kernel) and the 1×1 projection, the 1×1
    /// head and the classifier after global average pooling. Layer names follow `TinyCNN`'s
    /// parameter names (stem, blocks.0.expand, blocks.0.dw, blocks.0.project, head, classifier).
    public func layerShapes(name: String, width: WidthChoice? = nil) -> LayerShapes {
        let w = width ?? .uniform(output: 1, groups: widthGroups, blocks: blocks.count)
        precondition(w.output.count == widthGroups && w.expand.count == blocks.count, "width factors do not fit the network")
        var layers: [LayerShape] = []
        var rows = inputSide, cols = inputColumns ?? inputSide
        func conv(_ n: String, _ cin: Int, _ cout: Int, k: Int, s: Int = 1, groups: Int = 1) {
            let c = ConvShape(name: n, inputHeight: rows, inputWidth: cols, inChannels: cin, outChannels: cout,
                              kernel: k, stride: s, padding: k / 2, groups: groups)
            layers.append(.conv(c)); rows = c.outputHeight; cols = c.outputWidth
        }
        var c = RetortModels.scaled(stem, w.output[0])
        conv("stem", inputChannels, c, k: 3, s: stemStride)
        var group = 1, inBase = stem
        for (j, b) in blocks.enumerated() {
            let shortcut = b.stride == 1 && b.out == inBase
            let mid = b.expand == 1 ? c : RetortModels.scaled(c * b.expand, w.expand[j])
            let out = shortcut ? c : RetortModels.scaled(b.out, w.output[group])
            if !shortcut { group += 1 }
            if b.expand != 1 { conv("blocks.\(j).expand", c, mid, k: 1) }
            conv("blocks.\(j).dw", mid, mid, k: b.kernelSize, s: b.stride, groups: mid)
            conv("blocks.\(j).project", mid, out, k: 1)
            c = out; inBase = b.out
        }
        let h = RetortModels.scaled(head, w.output[group])
        conv("head", c, h, k: 1)
        layers.append(.matmul(MatmulShape(name: "classifier", m: 1, k: h, n: classes)))
        return LayerShapes(name: name, layers: layers)
    }
}
