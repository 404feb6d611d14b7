#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much memory a data set may take once loaded, and the one-line refusal when it
/// would take more.
public enum MemoryBudget {
    /// Memory available now (`MemAvailable` in /proc/meminfo, else physical memory), and no
    /// more than a quarter of the process's own limit (`ulimit -v`, `ulimit -d`): the rest is
    /// the program itself, a growing buffer's old and new copies, and the parsed values.
    public static func available() -> Int {
        min(machineAvailable(), processLimit() / 4)
    }

    static func machineAvailable() -> Int {
        if let text = try? BoundedFile.readSmallText(path: "/proc/meminfo"),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
            return kb * 1024
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : Int.max
    }

    /// The smaller soft limit of address space and data size (Int.max when unlimited).
    public static func processLimit() -> Int {
        var least = Int.max
        #if os(Linux)
        let resources = [RLIMIT_AS, RLIMIT_DATA].map { __rlimit_resource_t($0.rawValue) }
        #else
        let resources = [RLIMIT_AS, RLIMIT_DATA]
        #endif
        for r in resources {
            var l = rlimit()
            if getrlimit(r, &l) == 0 && l.rlim_cur != rlim_t.max { least = min(least, Int(clamping: l.rlim_cur)) }
        }
        return least
    }

    /// Throws when `bytes` (nil: an overflowing size) exceeds `budget`.
    public static func check(_ bytes: Int?, budget: Int, file: String) throws {
        guard let bytes, bytes <= budget else {
            let need = bytes.map { size($0) } ?? "more than \(size(Int.max))"
            throw DataError(file: file, "needs \(need) to load, this machine has \(size(budget)) available")
        }
    }

    /// The product of `factors`, or nil on overflow or a negative factor.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, o) = p.multipliedReportingOverflow(by: f)
            if o { return nil }
            p = r
        }
        return p
    }

    /// `4.2 GB`, `12.0 MB`, `900 bytes`.
    public static func size(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1_073_741_824, "GB"), (1_048_576, "MB"), (1024, "KB")]
        for (scale, name) in units where Double(bytes) >= scale {
            let v = Double(bytes) / scale
            return v >= 100 ? "\(Int(v.rounded())) \(name)" : "\((v * 10).rounded() / 10) \(name)"
        }
        return "\(bytes) bytes"
    }
}
