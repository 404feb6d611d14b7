# Soak: 100 000 headless training steps with metrics recording; peak memory must stay flat
# (tools/soak.sh fails when VmHWM grows by more than 4 MiB between step ~1000 and the end).
expect "soak: 100000 steps, peak memory flat" 0 'peak memory grew by [0-9]+ KiB \(limit' -- env RETORT_BIN="$BIN" tools/soak.sh 100000
# retort bench soak (the 1M-step soak is a benchmark, run by hand): with a few steps it works and prints its fields
expect "bench soak --steps 2000: steps/s and RSS at start, middle and end" 0 \
  'RSS start [0-9]+ KiB \(step 1\), middle [0-9]+ KiB \(step 1000\), end [0-9]+ KiB \(step 2000\)' -- "$BIN" bench soak --steps 2000
