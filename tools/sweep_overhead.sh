#!/usr/bin/env bash
# Sweep overhead per run: the same K training runs called directly, one after the other,
# and through `retort sweep --workers 1` (child processes, manifest, logs, progress).
# Rounds alternate the two so load changes hit both. Also the sweep's own time: its wall
# time minus the children's (each point's seconds in the manifest), which machine load
# does not blur as much as the difference of two wall times. Usage: tools/sweep_overhead.sh [EPOCHS] [K]
# (a benchmark, not a test; EPOCHS sets the length of one run)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RETORT_BIN:-.build/release/retort}
EPOCHS=${1:-20}; K=${2:-3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
opts="--data mnist5k --model mlp --epochs $EPOCHS --threads 1"
seeds=$(seq -s, 1 "$K")
cat > "$tmp/study.yaml" <<YAML
command: train
options: {data: mnist5k, model: mlp, epochs: $EPOCHS}
seeds: [$seeds]
YAML
now() { date +%s.%N; }
for round in $(seq 1 "${ROUNDS:-2}"); do
  t0=$(now)
  for s in $(seq 1 "$K"); do "$BIN" train $opts --seed "$s" --runs "$tmp/direct$round" --name "s$s" --plain >/dev/null; done
  t1=$(now)
  "$BIN" sweep "$tmp/study.yaml" --workers 1 --threads 1 --root "$tmp/studies$round" >/dev/null 2>&1
  t2=$(now)
  c=$(awk '/"seconds"/ {s += $3} END {print s}' "$tmp/studies$round/study/manifest.json")
  awk -v d="$(echo "$t1 - $t0" | bc)" -v s="$(echo "$t2 - $t1" | bc)" -v c="$c" -v k="$K" -v r="$round" 'BEGIN {
    printf "round %d: %d runs direct %.1f s (%.2f s per run), sweep %.1f s: %+.2f s per run (%+.1f %%); sweep minus its children %.2f s per run (%.1f %%)\n",
      r, k, d, d/k, s, (s-d)/k, 100*(s-d)/d, (s-c)/k, 100*(s-c)/d }'
done
