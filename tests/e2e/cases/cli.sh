# CLI basics, BLAS start-up, bad flags and values.
expect "doctor reports a non-generic BLAS core" 0 'blas core: +[A-Za-z]+ ' -- "$BIN" doctor
if "$BIN" doctor | grep -q 'generic fallback'; then bad "doctor: generic BLAS kernel still selected"; else ok "doctor: no generic fallback"; fi
expect "doctor names where small products run" 0 'small gemms: +(OpenBLAS|Retort.s micro-kernel)' -- "$BIN" doctor
# Some machines preset OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE); the suite never changes them.
# Preset: retort keeps the user's core, also when told the loaded kernel is generic.
# Unset: the start-up re-exec selects the best core.
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  expect "start-up keeps a preset OPENBLAS_CORETYPE" 0 "OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE from the environment" -- env RETORT_BLAS_ASSUME_GENERIC=1 "$BIN" doctor
else
  expect "start-up re-exec selects the best core" 0 'set by retort at start-up \(OPENBLAS_CORETYPE=' -- env RETORT_BLAS_ASSUME_GENERIC=1 "$BIN" doctor
fi
expect "unknown flag is refused" 64 "Unknown option '--bogus'" -- "$BIN" train --bogus
expect "negative learning rate is refused" 64 'lr: must be in \(0, 10\], got -1' -- "$BIN" train --lr=-1
expect "unknown data set is refused" 2 "cifar: no such file or folder \\(a sample: mnist5k, digits; or a data file or folder\\)" -- "$BIN" train --data cifar
expect "missing data folder" 2 'data folder not found' -- "$BIN" train --data-dir "$tmp/nowhere"

# bench guard reports a row per engine and model (no timing is asserted: benchmarks are not tests)
out=$("$BIN" bench guard --repeats 3 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^(train|distill|attention) .* [0-9.]+%$' <<<"$out")" = 5 ] && ok "bench guard: five engine rows with guard/step ratios" || bad "bench guard (exit $rc)" "$out"
expect "bench guard: --repeats out of range" 64 'repeats must be in 3…10000, got 1' -- "$BIN" bench guard --repeats 1

# Typed options: an enumerated choice that is not one of its values is a usage error (64)
# naming the allowed values; range checks of option values are usage errors too, with the
# engine config's message. Defaults in --help come from each engine's config.
expect "distill: unknown method" 64 "'fullest' is invalid for '--method" -- "$BIN" distill --method fullest
expect "distill: unknown uncertainty" 64 "'variance' is invalid for '--uncertainty.*'entropy', 'gate', 'ensemble', 'none' or 'calibrated'" -- "$BIN" distill --uncertainty variance
expect "distill: a preset combination the config refuses" 64 'lambda: distillation needs the trained teacher' -- "$BIN" distill --method base --lambda 1
expect "distill: bad hidden-width list" 64 "hidden: must be comma-separated whole numbers, got '4,x'" -- "$BIN" distill --hidden 4,x
expect "distill: checkpoint option range" 64 'keep-checkpoints: must be in 1…1000, got 0' -- "$BIN" distill --keep-checkpoints 0
expect "distill: --help shows the distill defaults" 0 'Epochs\. \(default: 40\)' -- "$BIN" distill --help
expect "train: --help shows the train defaults" 0 'Epochs\. \(default: 15\)' -- "$BIN" train --help
expect "compare: --method is refused as a usage error" 64 'compare sets the method per condition' -- "$BIN" compare --method kd
expect "eval: unknown model" 64 "'resnet' is invalid for '--model.*'mlp', 'cnn' or 'vit'" -- "$BIN" eval --weights x.safetensors --model resnet
expect "eval: unknown attention" 64 "'linear' is invalid for '--attention" -- "$BIN" eval --weights x.safetensors --attention linear
expect "sim gemm: unknown dataflow" 64 "'rs' is invalid for '--dataflow.*'os', 'ws', 'is' or 'all'" -- "$BIN" sim gemm -m 4 -k 4 -n 4 --dataflow rs
expect "sim vitality: unknown attention" 64 "'linear' is invalid for '--attention.*'taylor', 'softmax' or 'both'" -- "$BIN" sim vitality --attention linear
expect "bench train: unknown model in the list" 64 "'mlp,vit' is invalid for '--models.*'mlp' and 'cnn'" -- "$BIN" bench train --models mlp,vit
expect "sim gemm --dataflow ws: one row" 0 '^ws,[0-9]+,' -- "$BIN" sim gemm -m 8 -k 8 -n 8 --dataflow ws --csv
expect "attention ops: unknown preset" 64 "'deit-tiny,deit-huge' is invalid for '--configs" -- "$BIN" attention ops --configs deit-tiny,deit-huge
expect "attention ops: presets by name" 0 'deit-small' -- "$BIN" attention ops --configs vit-digits,deit-small
# absurd sizes: the largest GEMM inside the limits is answered by the closed form (the demand
# simulation skipped), one past them is refused naming the flag and the limit
expect "sim gemm: the largest GEMM is answered by the closed form" 0 '^ os 1099511627776 1152921504606846975 .* skipped' -- \
  "$BIN" sim gemm -m 1048576 -n 1048576 -k 1048576 --array 1x1
expect "sim gemm --csv: the demand column says skipped" 0 '^os,[0-9]+,[0-9.]+,100\.0,[0-9.]+,skipped$' -- \
  "$BIN" sim gemm -m 1048576 -n 1048576 -k 1048576 --csv --dataflow os
expect "sim gemm: M = N = K = 10^11 is refused" 64 '-m must be at most 1048576, got 100000000000' -- \
  "$BIN" sim gemm -m 100000000000 -n 100000000000 -k 100000000000
