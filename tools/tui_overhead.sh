#!/usr/bin/env bash
# Training throughput with the TUI open (default frame rate, in tmux) versus headless,
# same config and seed; also the TUI process's peak memory early and late in a long run.
# Usage: tools/tui_overhead.sh [EPOCHS]   (a benchmark, not a test)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RETORT_BIN:-.build/release/retort}
EPOCHS=${1:-4}
tmp=$(mktemp -d); export TMUX_TMPDIR=$tmp; trap 'tmux -f /dev/null kill-server 2>/dev/null; sleep 1; rm -rf "$tmp"' EXIT
args="--data mnist5k --model cnn --epochs $EPOCHS --seed 1 --threads 2 --runs $tmp/runs"
mean_sps() { awk -F, 'NR>1 {s+=$9; n++} END {printf "%.0f", s/n}' "$1/metrics.csv"; }
for round in $(seq 1 ${ROUNDS:-2}); do
  "$BIN" train $args --name headless$round --plain >/dev/null
  tmux -f /dev/null new-session -d -s tui -x 120 -y 40 "$BIN tui $args --name tui$round; sleep 5"
  while [ "$(grep -c . "$tmp/runs/tui$round/metrics.csv" 2>/dev/null || echo 0)" -le "$EPOCHS" ]; do sleep 0.5; done
  tmux -f /dev/null send-keys -t tui q; sleep 1; tmux -f /dev/null kill-server 2>/dev/null || true
  h=$(mean_sps "$tmp/runs/headless$round"); t=$(mean_sps "$tmp/runs/tui$round")
  echo "round $round: headless $h samples/s, TUI $t samples/s, ratio $(awk -v a="$t" -v b="$h" 'BEGIN{printf "%.3f", a/b}')"
done
# memory: a long run with the TUI open (digits MLP, many steps); RSS sampled early and late
tmux -f /dev/null new-session -d -s mem -x 120 -y 40 "$BIN tui --data digits --model mlp --epochs 100000 --runs $tmp/runs --name mem; sleep 5"
sleep 3; pid=$(pgrep -n -f "name mem")
r1=$(awk '/VmRSS/{print $2}' /proc/$pid/status); s1=$(tail -1 "$tmp/runs/mem/steps.csv" | cut -d, -f1)
sleep ${MEM_SECONDS:-60}
r2=$(awk '/VmRSS/{print $2}' /proc/$pid/status); s2=$(tail -1 "$tmp/runs/mem/steps.csv" | cut -d, -f1)
echo "memory: RSS $r1 KiB at step $s1, $r2 KiB at step $s2"
