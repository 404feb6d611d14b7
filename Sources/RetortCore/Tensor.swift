import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Activations and gradients are allocated and freed every training step. glibc serves
/// blocks above its mmap threshold with fresh mmap'd (zero-filled, page-faulting) memory
/// and returns the top of the heap to the system when more than the trim threshold is
/// free, so every step would page-fault its activations in again. Keep blocks up to
/// 32 MB (glibc's maximum) on the heap and do not trim below 1 GB of free top.
/// Done once, on the first tensor allocation.
private let mallocTuning: Void = {
    #if canImport(Glibc)
    // mallopt is not exported by the Glibc module; look it up (M_TRIM_THRESHOLD = -1,
    // M_MMAP_THRESHOLD = -3 in <malloc.h>).
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {  // RTLD_DEFAULT
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        _ = mallopt(-3, 32 << 20)
        _ = mallopt(-1, 1 << 30)
    }
    #endif
}()

/// Owns a block of Float32 memory. Several `Tensor` views may share one storage.
public final class Storage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let capacity: Int
    public init(capacity: Int, zeroed: Bool = true) {
        _ = mallocTuning
        self.capacity = capacity
        // 64-byte alignment keeps AVX-512 loads aligned.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, capacity) * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(1, capacity))
        if zeroed { base.initialize(repeating: 0, count: max(1, capacity)) }
    }
    deinit { UnsafeMutableRawPointer(base).deallocate() }
}

/// A dense, row-major Float32 tensor. Reference semantics: layers keep and mutate
/// parameter tensors in place; activations are created fresh every step.
/// Images are NHWC ([batch, height, width, channels]) so that 1×1 convolutions
/// and channel slices are plain GEMMs with a leading dimension.
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    public let storage: Storage
    public let data: UnsafeMutablePointer<Float>
    public let shape: [Int]
    public let count: Int

    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let n = shape.reduce(1, *)
        storage = Storage(capacity: n)
        data = storage.base
        self.shape = shape
        count = n
    }

    /// A tensor whose contents are unspecified: for outputs that the caller overwrites
    /// entirely (saves a memset per activation).
    public init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let n = shape.reduce(1, *)
        storage = Storage(capacity: n, zeroed: false)
        data = storage.base
        self.shape = shape
        count = n
    }

    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "tensor \(shape) needs \(count) values, got \(values.count)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    public convenience init(shape: [Int], repeating v: Float) {
        self.init(shape: shape)
        data.update(repeating: v, count: count)
    }

    /// A view on existing storage (no copy).
    public init(view storage: Storage, offset: Int = 0, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(offset + n <= storage.capacity, "view out of range")
        self.storage = storage
        data = storage.base + offset
        self.shape = shape
        count = n
    }

    public static func zeros(_ shape: Int...) -> Tensor { Tensor(shape: shape) }
    public static func zeros(like t: Tensor) -> Tensor { Tensor(shape: t.shape) }

    /// Same memory, new shape (element count must match).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(view: storage, offset: data - storage.base, shape: newShape)
    }

    public func copy() -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(from: data, count: count)
        return t
    }

    public var rank: Int { shape.count }
    public func dim(_ i: Int) -> Int { shape[i < 0 ? shape.count + i : i] }
    /// Product of all dimensions but the last.
    public var rows: Int { shape.count <= 1 ? 1 : count / shape[shape.count - 1] }
    public var lastDim: Int { shape.last ?? 1 }

    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    public func fill(_ v: Float) { data.update(repeating: v, count: count) }
    public func zero() { data.update(repeating: 0, count: count) }
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }
    public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    public var description: String {
        let head = array.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}
