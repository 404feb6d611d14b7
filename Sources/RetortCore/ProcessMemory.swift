#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// This process's memory: resident set now and its peak (KiB). Linux reads
/// /proc/self/status (VmRSS, VmHWM); elsewhere the peak comes from getrusage and the
/// current value is unknown (NaN).
public enum ProcessMemory {
    public static func kib() -> (resident: Double, peak: Double) {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            var rss = Double.nan, hwm = Double.nan
            for line in text.split(separator: "\n") {
                if line.hasPrefix("VmRSS:") { rss = number(line) }
                else if line.hasPrefix("VmHWM:") { hwm = number(line) }
            }
            return (rss, hwm)
        }
        #endif
        var u = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        #else
        getrusage(RUSAGE_SELF, &u)
        #endif
        #if canImport(Darwin)
        return (.nan, Double(u.ru_maxrss) / 1024)   // bytes on Darwin
        #else
        return (.nan, Double(u.ru_maxrss))           // KiB on Linux
        #endif
    }

    private static func number(_ line: Substring) -> Double {
        Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? .nan
    }
}
