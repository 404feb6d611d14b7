#if canImport(Glibc)
import Glibc
#endif

/// Hands memory freed by a dropped simulation back to the system: glibc keeps freed heap
/// pages otherwise, so the resident size would stay at its peak. (`malloc_trim` is looked
/// up at run time: Swift's Glibc module does not export malloc.h.)
func releaseFreedMemory() {
    #if canImport(Glibc)
    typealias Trim = @convention(c) (Int) -> Int32
    guard let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(f, to: Trim.self)(0)
    #endif
}
