# Soak: 100 000 headless training steps with metrics recording; peak memory must stay flat
# (tools/soak.sh fails when VmHWM grows by more than 4 MiB between step ~1000 and the end).
expect "soak: 100000 steps, peak memory flat" 0 'peak memory grew by [0-9]+ KiB \(limit' -- env RETORT_BIN="$BIN" tools/soak.sh 100000
