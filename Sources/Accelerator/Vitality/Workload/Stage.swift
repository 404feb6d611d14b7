/// Pipeline stages (what a unit is doing). Taylor steps follow spec vitality §1.2/§4.2.
public enum Stage: String, CaseIterable, Sendable, Codable {
    // DRAM transfers
    case loadQKV = "load-qkv"
    case storeOutput = "store-z"
    case loadActivations = "load-x"
    case loadWeights = "load-w"
    case storeActivations = "store-y"
    case spill = "spill"
    case reload = "reload"
    // Taylor attention
    case kColumnSum = "k-colsum"        // step 1: 1ᵀK (ACC; tokens centring)
    case kRowSum = "k-rowsum"           // step 1: K·1_d, one token per lane (ACC; head centring)
    case kMean = "k-mean"               // step 1: ÷ n, or ÷ d with head centring (DIV, single-divisor mode)
    case kCenter = "k-center"           // step 1: K − mean (ADD)
    case kvGemm = "khatT-v"             // step 2: G = K̂ᵀV (SA-General)
    case kHatSum = "khat-sum"           // step 3: 1ᵀK̂ (ACC)
    case vSum = "v-sum"                 // step 3: 1ᵀV (ACC)
    case qkDiag = "q-khatsum"           // step 4: Q·k̂_sumᵀ (SA-Diag)
    case denominatorAdd = "den-add"     // step 4: + n√d (ADD)
    case qgGemm = "q-g"                 // step 5: Q·G (SA-General)
    case numeratorAdd = "num-add"       // step 5: + √d·v_sum (ADD)
    case rowDivide = "row-div"          // step 6: diag(t_D)⁻¹·T_N (DIV, multiple-divisor mode)
    // softmax baseline
    case qkT = "q-kt"                   // S = QKᵀ (SA-General)
    case rowMax = "row-max"             // optional max-stabilisation (ACC as comparator)
    case maxSubtract = "max-sub"        // optional (ADD)
    case exp = "exp"                    // exp(S) (EXP)
    case rowSum = "row-sum"             // Σ_j (ACC)
    case softmaxDivide = "softmax-div"  // ÷ row sum (DIV, multiple-divisor mode)
    case sv = "s-v"                     // P·V (SA-General)
    // Sanger baseline (spec sanger; Sources/Accelerator/Sanger)
    case predictQuantize = "qk-quant"   // Q, K → 4 bits (ADD)
    case predictQK = "qk-4bit"          // Q̃K̃ᵀ, dense, low precision (SA-General)
    case predictExp = "pred-exp"        // exp of the predicted scores (EXP)
    case predictRowSum = "pred-rowsum"  // Σ_j (ACC)
    case threshold = "threshold"        // exp > τ·Σ: the mask (ADD as comparator)
    case sparseQK = "sp-qkt"            // kept scores of QKᵀ, score-stationary (SA-General as PE rows)
    case sparseExp = "sp-exp"           // exp of the kept scores (EXP)
    case sparseRowSum = "sp-rowsum"     // Σ over kept (ACC)
    case sparseDivide = "sp-div"        // ÷ row sum (DIV)
    case sparsePV = "sp-pv"             // P·V over kept scores (SA-General as PE rows)
    case mergePartials = "merge"        // add the partial outputs of a row's segments (ADD)
    // linear layers
    case qkvProjection = "qkv"
    case outProjection = "proj"
    case mlpUp = "fc1"
    case mlpDown = "fc2"

    /// The step of paper Algorithm 1 (1–6) for Taylor stages.
    public var taylorStep: Int? {
        switch self {
        case .kColumnSum, .kRowSum, .kMean, .kCenter: return 1
        case .kvGemm: return 2
        case .kHatSum, .vSum: return 3
        case .qkDiag, .denominatorAdd: return 4
        case .qgGemm, .numeratorAdd: return 5
        case .rowDivide: return 6
        default: return nil
        }
    }

    public var isTransfer: Bool {
        switch self {
        case .loadQKV, .storeOutput, .loadActivations, .loadWeights, .storeActivations, .spill, .reload: return true
        default: return false
        }
    }
}
