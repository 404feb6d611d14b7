import Foundation
import RunKit

/// A job's wall-time limit as `sbatch --time` takes it. Accepts Slurm's forms (M, M:S, H:M:S,
/// D-H, D-H:M, D-H:M:S, or UNLIMITED) and writes the canonical D-HH:MM:SS.
public struct SlurmTimeLimit: Sendable, Equatable, CustomStringConvertible {
    /// Total seconds; nil is UNLIMITED.
    public let seconds: Int?

    public static let allowed = "M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or UNLIMITED, e.g. 0-04:00:00"

    public init(seconds: Int?) { self.seconds = seconds }

    /// Parses `text`; `field` names the option in the error (e.g. "--time").
    public init(parsing text: String, field: String = "--time") throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        let bad = ConfigError("\(field): \"\(text)\" is not a Slurm time limit (\(Self.allowed))")
        if ["UNLIMITED", "INFINITE"].contains(t.uppercased()) { seconds = nil; return }
        func number(_ s: Substring, below limit: Int? = nil) throws -> Int {
            guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(s) else { throw bad }
            if let limit, v >= limit { throw bad }
            return v
        }
        var total: Int
        let dash = t.split(separator: "-", omittingEmptySubsequences: false)
        switch dash.count {
        case 1: // M, M:S, H:M:S
            let p = dash[0].split(separator: ":", omittingEmptySubsequences: false)
            switch p.count {
            case 1: total = try number(p[0]) * 60
            case 2: total = try number(p[0]) * 60 + number(p[1], below: 60)
            case 3: total = try number(p[0]) * 3600 + number(p[1], below: 60) * 60 + number(p[2], below: 60)
            default: throw bad
            }
        case 2: // D-H, D-H:M, D-H:M:S
            let days = try number(dash[0])
            let p = dash[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (1...3).contains(p.count) else { throw bad }
            total = days * 86400 + (try number(p[0], below: 24)) * 3600
            if p.count > 1 { total += try number(p[1], below: 60) * 60 }
            if p.count > 2 { total += try number(p[2], below: 60) }
        default: throw bad
        }
        guard total > 0 else { throw ConfigError("\(field): \"\(text)\" is zero (a positive time limit: \(Self.allowed))") }
        seconds = total
    }

    /// D-HH:MM:SS, or UNLIMITED.
    public var description: String {
        guard let s = seconds else { return "UNLIMITED" }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(s / 86400)-\(two(s % 86400 / 3600)):\(two(s % 3600 / 60)):\(two(s % 60))"
    }
}
