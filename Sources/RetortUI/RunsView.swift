import Foundation
import Workbench

/// How the Runs tab filters, orders and groups its rows (pure functions of the rows).
extension RunsTabState {
    /// A filter matches a run's name, engine or study (case-insensitive); `KEY=VALUE` matches a
    /// hyperparameter (`lr=0.02`, `method=full`), `KEY=` any run that has KEY.
    static func matches(_ run: RunSummary, _ filter: String) -> Bool {
        let f = filter.lowercased()
        if let eq = f.firstIndex(of: "="), eq != f.startIndex {
            let key = String(f[..<eq]).trimmingCharacters(in: .whitespaces), value = String(f[f.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard let v = run.hyperparameters.first(where: { $0.key.lowercased() == key })?.value.lowercased() else { return false }
            return value.isEmpty || v == value || (Double(v) != nil && Double(v) == Double(value))
        }
        return run.name.lowercased().contains(f) || run.engine.rawValue.contains(f) || (run.study?.lowercased().contains(f) ?? false)
    }

    /// a before b: numbers ascending, then text, then runs without the key.
    static func hyperparameterOrder(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?):
            switch (Double(x), Double(y)) {
            case let (p?, q?): return p < q
            case (_?, nil): return true
            case (nil, _?): return false
            default: return x < y
            }
        }
    }

    static func stableSorted(_ l: [RunSummary], by less: (RunSummary, RunSummary) -> Bool) -> [RunSummary] {
        l.enumerated().sorted { a, b in less(a.element, b.element) || (!less(b.element, a.element) && a.offset < b.offset) }.map(\.element)
    }

    /// Runs outside studies in their order, then each study's row followed by its runs (in
    /// their order); a study whose row the filter dropped still heads its shown runs.
    static func grouped(_ l: [RunSummary]) -> [RunSummary] {
        var out = l.filter { $0.study == nil }
        var studies: [String] = []
        for r in l { if let s = r.study, !studies.contains(s) { studies.append(s) } }
        for s in studies {
            if let head = l.first(where: { $0.engine == .study && $0.study == s }) { out.append(head) }
            out += l.filter { $0.study == s && $0.engine != .study }
        }
        return out
    }

    /// Every hyperparameter key of the scanned runs, sorted (for `:sort` and completion).
    public var hyperparameterKeys: [String] { Array(Set(all.flatMap { $0.hyperparameters.keys })).sorted() }
}
