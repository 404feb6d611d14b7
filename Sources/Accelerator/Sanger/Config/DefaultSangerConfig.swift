// Generated copy of configs/accelerator/sanger-default.json (the source of truth);
// SangerConfigTests fails if the two differ.
extension SangerConfig {
    public static let defaultJSON = #"""
{
  "about": "Default Sanger-baseline settings for `retort sim vitality --baseline sanger`. The array, buffers, DRAM, clock and energy table are the ViTALiTy configuration's (vitality-default.json): Sanger runs on SA-General's PEs regrouped into PE rows. Tags as in the Sanger notes: [C] read in hatsu3/Sanger, [P] the paper's idea as the code implements it, [R] Retort's choice.",
  "sanger": {
    "threshold": {"value": 0.002, "source": "[C] prune_score.threshold of configs/bert_base_sanger_2e-3.json (also ViTALiTy's code); a kept score has predicted probability > threshold"},
    "predict_bits": {"value": 4, "source": "[C] quant_qk bitwidth 4 (symmetric) in configs/bert_base_sanger_*.json, quant_utils.py"},
    "predict_macs_per_pe": {"value": 4, "source": "[R] 4-bit MACs one 16-bit PE does per cycle in the prediction pass (a 16x16 multiplier split into four 4x4 lanes); 1 = no gain from the low precision"},
    "predict_mac_pj": {"value": 0.1, "source": "[R] energy of one 4-bit MAC: a multiplier's energy falls about with the square of its width (16-bit MAC 1 pJ, 4x4 ~1/16 plus the adder), rounded up"},
    "ports": {"value": 64, "source": "[C] num_ports = 64 in _eval_load_balance (modeling_sanger_spattn.py): a mask row is packed 64 columns at a time"},
    "pes_per_row": {"value": 16, "source": "[C] num_pes = 16 (the '25%' variant; bench_sanger.py's 64 x 16 array); the PE rows are SA-General's PEs regrouped: rows = sa_rows x sa_cols / pes_per_row"},
    "skip_empty_vectors": {"value": true, "source": "[C] the 'skip' variant of _eval_load_balance: an all-zero 64-column vector takes no PE-row slot"},
    "synthetic_density": {"value": 0.2, "source": "[R] density of the synthetic masks when neither --density nor --masks is given (Sanger's BERT masks at 2e-3 keep roughly 0.1-0.25)"}
  }
}
"""#
}
