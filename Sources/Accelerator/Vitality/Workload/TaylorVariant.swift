/// Which axis Taylor step 1 centres K over (the ViTALiTy notes §1.2, §1.3, §2.3).
public enum KeyCentring: String, CaseIterable, Sendable, Codable {
    /// The paper's text: K̂ = K − 1_n·(1_nᵀK / n), d column means over the n tokens. Then
    /// k̂_sum = 1ᵀK̂ = 0 exactly and t_D = n√d for every query.
    case tokens
    /// The released code's reading: every token's row minus its mean over the d head entries
    /// (n row means). Then k̂_sum ≠ 0: SA-Diag's Q·k̂_sumᵀ and the n distinct divisors t_D are
    /// real work.
    case head
}

/// Whether a Taylor head runs the k̂_sum path (the notes' §1.3 "optimised" mode skips it).
public enum KSumMode: String, CaseIterable, Sendable, Codable {
    /// The paper's hardware: Step 3's k̂_sum on ACC, Step 4's Q·k̂_sumᵀ on SA-Diag and + n√d on
    /// ADD, Step 6 in multiple-divisor mode (t_D through the Divisor Regs).
    case compute
    /// Tokens centring only (k̂_sum = 0): no k̂_sum, no SA-Diag product, no denominator add;
    /// Step 6 divides every element by the one divisor n√d (single-divisor mode).
    case skip
}

/// The reading of Taylor attention a workload simulates.
public struct TaylorVariant: Sendable, Hashable {
    public var centring: KeyCentring
    public var kSum: KSumMode

    /// The paper's hardware with the paper's centring.
    public static let paper = TaylorVariant(centring: .tokens, kSum: .compute)

    public init(centring: KeyCentring = .tokens, kSum: KSumMode = .compute) {
        self.centring = centring; self.kSum = kSum
    }

    /// Nil when the combination is simulable; else why not (one line, for the CLI and the TUI).
    public var problem: String? {
        guard centring == .head, kSum == .skip else { return nil }
        return "skip needs tokens centring (with head centring k̂_sum ≠ 0, so Step 3's k̂_sum, SA-Diag's Q·k̂_sumᵀ and the n divisors t_D are real work)"
    }

    /// "tokens", "tokens, k̂_sum skipped (optimised)", "head".
    public var label: String {
        kSum == .skip ? "\(centring.rawValue), k̂_sum skipped (optimised: one divisor n√d)" : centring.rawValue
    }
}
