# CLI basics, BLAS start-up, bad flags and values.
expect "doctor reports a non-generic BLAS core" 0 'blas core: +[A-Za-z]+ ' -- "$BIN" doctor
if "$BIN" doctor | grep -q 'generic fallback'; then bad "doctor: generic BLAS kernel still selected"; else ok "doctor: no generic fallback"; fi
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
expect "unknown data set is refused" 64 "mnist5k|digits" -- "$BIN" train --data cifar
expect "missing data folder" 2 'data folder not found' -- "$BIN" train --data-dir "$tmp/nowhere"

# bench guard reports a row per engine and model (no timing is asserted: benchmarks are not tests)
out=$("$BIN" bench guard --repeats 3 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^(train|distill|attention) .* [0-9.]+%$' <<<"$out")" = 5 ] && ok "bench guard: five engine rows with guard/step ratios" || bad "bench guard (exit $rc)" "$out"
expect "bench guard: --repeats out of range" 64 'repeats must be in 3…10000, got 1' -- "$BIN" bench guard --repeats 1
