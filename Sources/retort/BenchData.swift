import ArgumentParser
import CZlib
import Foundation
import RetortData

/// Read throughput of each image data-set reader on generated CIFAR-sized data
/// (32×32×3 uint8 images), written to a temporary folder in each format first.
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Read MB/s of the image data-set readers (npy, npz, IDX, IDX gzip, CIFAR-10) on generated 32×32×3 images, and the ratio to reading the same files' bytes.")

    @Option(help: "Images per generated set (CIFAR-10's batch is 10000).") var images: Int = 10_000
    @Option(help: "Reads timed per format (best reported).") var repeats: Int = 3

    func validate() throws {
        guard (1...200_000).contains(images) else { throw ValidationError("--images must be in 1…200000, got \(images)") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1…100, got \(repeats)") }
    }

    func run() throws {
        let n = images, side = 32, c = 3, px = n * side * side * c
        var rng = SystemRandomNumberGenerator()
        // smooth images (a gradient plus a little noise) compress like real photos rather than noise
        var nhwc = [UInt8](repeating: 0, count: px)
        for i in 0..<px { nhwc[i] = UInt8(truncatingIfNeeded: (i / 3) % 32 * 6 + Int(rng.next() % 16)) }
        let labels = (0..<n).map { UInt8($0 % 10) }
        let root = NSTemporaryDirectory() + "retort-bench-data-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ rel: String, _ bytes: [UInt8]) throws {
            let url = URL(fileURLWithPath: root + "/" + rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let x = npy("|u1", [n, side, side, c], nhwc), y = npy("|u1", [n], labels)
        try write("npy/x.npy", x); try write("npy/y.npy", y)
        try write("npz/d.npz", storedZip([("x.npy", x), ("y.npy", y)]))
        let idxImages = [0, 0, 8, 4] + [n, side, side, c].flatMap { be32($0) } + nhwc
        let idxLabels = [0, 0, 8, 1] + be32(n) + labels
        try write("idx/train-images-idx3-ubyte", idxImages); try write("idx/train-labels-idx1-ubyte", idxLabels)
        try write("idx-gz/train-images-idx3-ubyte.gz", gzip(idxImages)); try write("idx-gz/train-labels-idx1-ubyte.gz", gzip(idxLabels))
        var cifar = [UInt8](); cifar.reserveCapacity(n * 3073)
        for i in 0..<n {
            cifar.append(labels[i])
            for ch in 0..<3 { for p in 0..<1024 { cifar.append(nhwc[i * 3072 + p * 3 + ch]) } }
        }
        try write("cifar/data_batch_1.bin", cifar)

        print("\(n) images of 32×32×3 uint8 (\(String(format: "%.1f", Double(px) / 1e6)) MB decoded), best of \(repeats)")
        print("format".padding(toLength: 12, withPad: " ", startingAt: 0) + "  on disk MB   read ms    MB/s   raw read ms   ratio")
        for (name, path) in [("npy", "npy"), ("npz", "npz/d.npz"), ("IDX", "idx"), ("IDX gzip", "idx-gz"), ("CIFAR-10", "cifar")] {
            let folder = root + "/" + path.split(separator: "/")[0]
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).map { folder + "/" + $0 }
            let disk = try files.compactMap { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
            var best = Double.infinity, raw = Double.infinity
            for _ in 0..<repeats {
                // reference: reading the same files' bytes with no parsing
                var t0 = DispatchTime.now().uptimeNanoseconds
                let bytes = try files.map { try BoundedFile.read(path: $0, budget: Int.max).count }.reduce(0, +)
                raw = min(raw, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                precondition(bytes == disk)
                t0 = DispatchTime.now().uptimeNanoseconds
                let s = try ImageSetReader.load(path: root + "/" + path)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                precondition(s.train.count == n)
            }
            print(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: "  %10.1f  %8.1f  %6.0f  %12.1f  %5.1f×", Double(disk) / 1e6, best * 1000, Double(px) / 1e6 / best, raw * 1000, best / raw))
        }
    }

    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    func npy(_ descr: String, _ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        let d = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (" + shape.map { "\($0), " }.joined() + "), }"
        let pad = (64 - (10 + d.utf8.count + 1) % 64) % 64
        let h = Array((d + String(repeating: " ", count: pad) + "\n").utf8)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + data
    }

    /// A zip archive of stored members (what `np.savez` writes, without zip64).
    func storedZip(_ members: [(String, [UInt8])]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        var out = [UInt8](), dir = [UInt8]()
        for (name, data) in members {
            let crc = data.withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, UInt32($0.count))) }
            let common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc) + le32(data.count) + le32(data.count) + le16(name.utf8.count)
            dir += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(out.count) + Array(name.utf8)
            out += le32(0x0403_4B50) + common + le16(0) + Array(name.utf8) + data
        }
        return out + dir + le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(dir.count) + le32(out.count) + le16(0)
    }

    /// gzip-compressed bytes (zlib, level 6).
    func gzip(_ input: [UInt8]) throws -> [UInt8] {
        var strm = z_stream()
        guard deflateInit2_(&strm, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ValidationError("zlib deflateInit2 failed")
        }
        defer { deflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&strm, UInt(input.count))) + 64)
        var rc: Int32 = 0
        input.withUnsafeBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob in
                strm.next_in = UnsafeMutablePointer(mutating: ib.baseAddress); strm.avail_in = UInt32(ib.count)
                strm.next_out = ob.baseAddress; strm.avail_out = UInt32(ob.count)
                rc = deflate(&strm, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw ValidationError("zlib deflate failed (\(rc))") }
        out.removeLast(Int(strm.avail_out))
        return out
    }
}
