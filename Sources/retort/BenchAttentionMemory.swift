import ArgumentParser
import Attention
import Foundation
import RetortCore

/// `retort bench attention --memory`: resident peak memory against n, each (kernel, n, pass)
/// measured in a fresh child process (`--memory-probe kernel:n:pass`) that reads its own
/// resident set before allocating anything and its peak (VmHWM) after the pass, so one
/// measurement never inherits another's peak. The kernels' own scratch (the `Workspace`
/// request counts) is printed beside it.
extension BenchAttention {
    enum MemoryKernel: String, CaseIterable {
        case softmax, fused, taylor
        var label: String {
            switch self {
            case .softmax: return "softmax (per-head n×n)"
            case .fused: return "softmax (fused)"
            case .taylor: return "taylor"
            }
        }
    }

    struct MemoryProbe {
        var beforeKiB: Double, peakKiB: Double, scratchWords: Int
        var deltaMiB: Double { (peakKiB - beforeKiB) / 1024 }
    }

    /// The child: one pass of one kernel at one n, then one JSON line.
    func probeMemory(_ spec: String) throws {
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count == 3, let kernel = MemoryKernel(rawValue: parts[0]), let n = Int(parts[1]), (1...16_384).contains(n),
              ["forward", "train"].contains(parts[2]) else {
            throw ValidationError("--memory-probe must be softmax|fused|taylor:N:forward|train, got '\(spec)'")
        }
        let train = parts[2] == "train"
        let before = ProcessMemory.kib().resident
        var rng = RNG(seed: 1)
        let qkv = Tensor(shape: [1, n, 3 * heads * dim])
        qkv.fillNormal(std: 1, rng: &rng)
        let core = AttentionCore(kind: kernel == .taylor ? .taylor : .softmax, heads: heads)
        core.fusedSoftmax = kernel == .fused; core.fusedSoftmaxMinTokens = 0
        let y = core.forward(qkv, training: train)
        if train {
            let dy = Tensor(shape: y.shape, repeating: 1)
            _ = core.backward(dy)
        }
        let peak = ProcessMemory.kib().peak
        print("{\"before_kib\":\(before),\"peak_kib\":\(peak),\"scratch_words\":\(core.lastMemory.perHeadWords)}")
    }

    func runProbe(_ kernel: MemoryKernel, n: Int, train: Bool) throws -> MemoryProbe {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = ["bench", "attention", "--memory-probe", "\(kernel.rawValue):\(n):\(train ? "train" : "forward")",
                       "--dim", "\(dim)", "--heads", "\(heads)", "--threads", "\(threads)"]
        let pipe = Pipe(); p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = out.split(separator: "\n").last,
              let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let before = obj["before_kib"] as? Double, let peak = obj["peak_kib"] as? Double,
              let words = obj["scratch_words"] as? Int else {
            fail("memory probe \(kernel.rawValue) at n = \(n) failed (exit \(p.terminationStatus))")
        }
        return MemoryProbe(beforeKiB: before, peakKiB: peak, scratchWords: words)
    }

    /// The parent: a row per (n, kernel) with the peak growth of a forward pass and of a
    /// forward + backward (training) pass, and the kernel's scratch per head.
    func memoryTable(_ ns: [Int]) throws {
        print("attention memory, d = \(dim), \(heads) heads, batch 1, \(threads) threads: each row is fresh child processes")
        print("ΔRSS = peak resident set (VmHWM) − resident set before the inputs were allocated (inputs, outputs, saved tensors, scratch)")
        print("scratch = the kernel's own workspace requests per head (forward pass)")
        print(columns([("n", 6), ("kernel", 24), ("fwd ΔRSS MiB", 13), ("train ΔRSS MiB", 15), ("scratch KiB", 12)]))
        var csvText = "n,kernel,forward_delta_mib,train_delta_mib,scratch_kib,peak_forward_kib,peak_train_kib\n"
        for n in ns {
            for k in MemoryKernel.allCases {
                let f = try runProbe(k, n: n, train: false), t = try runProbe(k, n: n, train: true)
                let scratch = Double(f.scratchWords) * 4 / 1024
                print(columns([("\(n)", 6), (k.label, 24), (String(format: "%.2f", f.deltaMiB), 13), (String(format: "%.2f", t.deltaMiB), 15),
                               (String(format: "%.1f", scratch), 12)]))
                csvText += "\(n),\(k.rawValue),\(String(format: "%.3f", f.deltaMiB)),\(String(format: "%.3f", t.deltaMiB)),\(String(format: "%.1f", scratch)),\(Int(f.peakKiB)),\(Int(t.peakKiB))\n"
            }
        }
        if let csv {
            do { try csvText.write(toFile: csv, atomically: true, encoding: .utf8) } catch { fail("\(csv): cannot write it (\(error.localizedDescription))") }
            print("wrote \(csv)")
        }
    }
}
