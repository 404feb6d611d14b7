# CLI basics, BLAS start-up, bad flags and values.
expect "doctor reports a non-generic BLAS core" 0 'blas core: +[A-Za-z]+ ' -- "$BIN" doctor
if "$BIN" doctor | grep -q 'generic fallback'; then bad "doctor: generic BLAS kernel still selected"; else ok "doctor: no generic fallback"; fi
expect "start-up re-exec selects the best core" 0 'set by retort at start-up \(OPENBLAS_CORETYPE=' -- env RETORT_BLAS_ASSUME_GENERIC=1 "$BIN" doctor
expect "unknown flag is refused" 64 "Unknown option '--bogus'" -- "$BIN" train --bogus
expect "negative learning rate is refused" 64 'lr: must be in \(0, 10\], got -1' -- "$BIN" train --lr=-1
expect "unknown data set is refused" 64 "mnist5k|digits" -- "$BIN" train --data cifar
expect "missing data folder" 2 'data folder not found' -- "$BIN" train --data-dir "$tmp/nowhere"

# bench guard reports a row per engine and model (no timing is asserted: benchmarks are not tests)
out=$("$BIN" bench guard --repeats 3 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^(train|distill|attention) .* [0-9.]+%$' <<<"$out")" = 5 ] && ok "bench guard: five engine rows with guard/step ratios" || bad "bench guard (exit $rc)" "$out"
expect "bench guard: --repeats out of range" 64 'repeats must be in 3…10000, got 1' -- "$BIN" bench guard --repeats 1

# absurd sizes: the largest GEMM inside the limits is answered by the closed form (the demand
# simulation skipped), one past them is refused naming the flag and the limit
expect "sim gemm: the largest GEMM is answered by the closed form" 0 '^ os 1099511627776 1152921504606846975 .* skipped' -- \
  "$BIN" sim gemm -m 1048576 -n 1048576 -k 1048576 --array 1x1
expect "sim gemm --csv: the demand column says skipped" 0 '^os,[0-9]+,[0-9.]+,100\.0,[0-9.]+,skipped$' -- \
  "$BIN" sim gemm -m 1048576 -n 1048576 -k 1048576 --csv --dataflow os
expect "sim gemm: M = N = K = 10^11 is refused" 64 '-m must be at most 1048576, got 100000000000' -- \
  "$BIN" sim gemm -m 100000000000 -n 100000000000 -k 100000000000
