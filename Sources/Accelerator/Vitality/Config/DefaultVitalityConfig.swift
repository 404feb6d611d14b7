// Generated copy of configs/accelerator/vitality-default.json (the source of truth);
// DefaultConfigTests fails if the two differ. Regenerate with tools/scalesim/embed_default_config.sh.
extension VitalityConfig {
    public static let defaultJSON = #"""
{
  "about": "Default ViTALiTy accelerator configuration for `retort sim vitality`. The paper's hardware table was not retrieved (spec vitality.md §4.3/§5.4: NR), so every value is marked with where it comes from; 'assumed' means Retort's own choice. Override any subset with --config FILE (same layout; plain numbers are accepted there).",
  "hardware": {
    "clock_mhz": {"value": 500, "source": "assumed: ViTCoD (same group, HPCA'23), spec vitality §5.4"},
    "chunks": {"value": 1, "source": "assumed: paper NR; spec vitality §5.4 proposes 1 (sweep 1-4)"},
    "sa_rows": {"value": 64, "source": "assumed: lanes M+1 = 64 = d so G fits one tile, spec vitality §5.4"},
    "sa_cols": {"value": 64, "source": "assumed: SA-General (M+1)x(M+1), paper figure topology, spec vitality §4.1/§5.4"},
    "sa_diag_rows": {"value": 64, "source": "assumed: SA-Diag is one column of M+1 PEs, paper figure, spec vitality §4.1"},
    "accumulator_lanes": {"value": 64, "source": "assumed: Accumulator 0..M, spec vitality §5.4"},
    "adder_lanes": {"value": 64, "source": "assumed: Adder 0..M, spec vitality §5.4"},
    "divider_lanes": {"value": 64, "source": "assumed: Divider 0..M, spec vitality §5.4"},
    "exp_lanes": {"value": 64, "source": "assumed: softmax baseline only; an exp array as wide as the other pre/post-processors"},
    "accumulator_latency": {"value": 1, "source": "assumed: pipeline depth of an accumulator lane"},
    "adder_latency": {"value": 1, "source": "assumed: pipeline depth of an adder lane"},
    "divider_latency": {"value": 8, "source": "assumed: pipelined 16-bit divider, initiation interval 1"},
    "exp_latency": {"value": 4, "source": "assumed: pipelined piecewise-linear/LUT exp unit, initiation interval 1"},
    "sa_double_buffered": {"value": true, "source": "assumed: stationary tiles after a task's first are preloaded into shadow registers during the previous tile's stream (spec vitality §5.2 'hidden if double-buffered')"},
    "word_bytes": {"value": 2, "source": "assumed: 16-bit fixed point, spec vitality §5.4"},
    "dram_gb_per_s": {"value": 76.8, "source": "assumed: DDR4-2400 as in ViTCoD, spec vitality §5.4"},
    "dram_latency_cycles": {"value": 100, "source": "assumed: ~200 ns at 500 MHz"},
    "sram_input_kb": {"value": 152, "source": "assumed split of the 320 KB SRAM (ViTCoD, spec vitality §5.4): Q/K/V of two DeiT heads (2 x 75.6 KB, double buffering) or GEMM activations"},
    "sram_scratch_kb": {"value": 96, "source": "assumed split of the 320 KB SRAM: intermediates (K-hat+G of two Taylor heads plus one T_N = 92 KB; or one softmax attention map, 197^2 x 2 B = 77.6 KB)"},
    "sram_output_kb": {"value": 56, "source": "assumed split of the 320 KB SRAM: Z of two heads / two 197x64 GEMM output blocks until stored"},
    "sram_weight_kb": {"value": 16, "source": "assumed split of the 320 KB SRAM: two 64x64 16-bit weight tiles (double buffered) for the linear layers"},
    "softmax_max_subtraction": {"value": false, "source": "assumed: the softmax baseline skips max-stabilisation (row max + subtraction), which favours softmax, so the speedup is a lower bound"}
  },
  "energy_pj": {
    "mac": {"value": 1.0, "source": "assumed from the spec's range: 16-bit MAC ~1 pJ (Horowitz ISSCC'14 style, 45 nm), spec vitality §5.4"},
    "add": {"value": 0.1, "source": "assumed from the spec's range: 16-bit add 0.05-0.4 pJ, spec vitality §5.4"},
    "mul": {"value": 0.8, "source": "assumed from the spec's range: 16-bit multiply (scalar scalings on the adder array)"},
    "div": {"value": 10.0, "source": "assumed from the spec's range: divide ~10-20x a multiply, spec vitality §5.4"},
    "exp": {"value": 5.0, "source": "assumed: piecewise-linear/LUT exp = table read + multiply + add, ~5 MAC-equivalents"},
    "sram_read_per_word": {"value": 5.0, "source": "assumed from the spec's range: SRAM 5-20 pJ/word, spec vitality §5.4"},
    "sram_write_per_word": {"value": 5.0, "source": "assumed from the spec's range: SRAM 5-20 pJ/word, spec vitality §5.4"},
    "dram_per_byte": {"value": 25.0, "source": "assumed from the spec's range: DRAM 20-40 pJ/B, spec vitality §5.4"},
    "static_per_cycle": {"value": 20.0, "source": "assumed: leakage of the whole accelerator, 10 mW at 500 MHz"}
  }
}
"""#
}
