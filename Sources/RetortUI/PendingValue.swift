import RunKit

/// A value sent to a job whose snapshot still shows an older one. Keys come in faster than
/// a job applies them, so a burst of `→` steps from the last value sent, not from the stale
/// snapshot; once the snapshot shows that value (or something else: another change, a
/// rollback, a refusal) the snapshot is followed again.
public struct PendingValue: Sendable, Equatable {
    /// The snapshot's value when the first press of the burst was sent.
    public var base: String
    /// Values sent since, oldest first; the last is what the job will hold.
    public var sent: [String]
    public init(base: String, sent: [String]) { self.base = base; self.sent = sent }

    /// Whether two values as text are the same value ("0.01" and "1/100"; words by case).
    public static func same(_ a: String, _ b: String) -> Bool {
        if let x = SettingValue.parseNumber(a), let y = SettingValue.parseNumber(b) {
            return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        }
        return a.lowercased() == b.lowercased()
    }
}

extension UIState {
    /// The front tab's panel rows with values still on their way in place of the snapshot's.
    public func withPending(_ rows: [SettingRow]) -> [SettingRow] {
        let pending = self.pending
        guard !pending.isEmpty else { return rows }
        return rows.map { r in
            guard let p = pending[r.name], let v = p.sent.last, Self.stale(r, p) else { return r }
            return SettingRow(name: r.name, value: v, numericValue: SettingValue.parseNumber(v), kind: r.kind, allowed: r.allowed, help: r.help)
        }
    }

    /// Forgets the pending values the snapshot has caught up with (or moved away from);
    /// returns the rows to step from.
    mutating func reconcile(_ rows: [SettingRow]) -> [SettingRow] {
        for (name, p) in pending {
            guard let r = rows.first(where: { $0.name == name }), Self.stale(r, p) else { pending[name] = nil; continue }
        }
        return withPending(rows)
    }

    /// Records that `value` was sent for the row `r` (after `reconcile`, so a pending entry
    /// left for it is still on its way and `r.value` is its last value otherwise the snapshot's).
    mutating func markSent(_ r: SettingRow, _ value: String) {
        if pending[r.name] != nil { pending[r.name]!.sent.append(value) }
        else { pending[r.name] = PendingValue(base: r.value, sent: [value]) }
    }

    /// The snapshot still shows the value before the burst or one sent before the last.
    static func stale(_ r: SettingRow, _ p: PendingValue) -> Bool {
        guard let last = p.sent.last, !PendingValue.same(r.value, last) else { return false }
        return PendingValue.same(r.value, p.base) || p.sent.dropLast().contains { PendingValue.same(r.value, $0) }
    }
}
