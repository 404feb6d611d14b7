#!/usr/bin/env bash
# Soak: a long headless training run with metrics recording; reports the process's peak
# memory (VmHWM) after ~1 000 steps and at the end, and fails (exit 1) if it grew by more
# than SOAK_LIMIT_KIB (default 4096 KiB). Usage: tools/soak.sh [STEPS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RETORT_BIN:-.build/release/retort}
STEPS=${1:-100000}
LIMIT=${SOAK_LIMIT_KIB:-4096}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
common="--data digits --model mlp --batch-size 32 --test-count 297 --threads 1 --seed 1 --runs $tmp"
"$BIN" train $common --epochs 1 --name probe --plain >/dev/null
per_epoch=$(awk -F, 'NR==2 {print $1}' "$tmp/probe/metrics.csv")
epochs=$(( (STEPS + per_epoch - 1) / per_epoch ))
start=$(date +%s)
"$BIN" train $common --epochs "$epochs" --name soak --plain >/dev/null
secs=$(( $(date +%s) - start ))
# resources.csv: step,epoch,rss_kib,peak_rss_kib (one row per epoch)
read -r s1 r1 p1 < <(awk -F, 'NR>1 && $1>=1000 {print $1, $3, $4; exit}' "$tmp/soak/resources.csv")
read -r s2 r2 p2 < <(tail -1 "$tmp/soak/resources.csv" | awk -F, '{print $1, $3, $4}')
rows=$(($(wc -l < "$tmp/soak/steps.csv") - 1))
echo "soak: $s2 steps ($epochs epochs of $per_epoch) in ${secs} s, $rows step rows recorded"
echo "soak: peak RSS ${p1%.*} KiB at step $s1, ${p2%.*} KiB at step $s2 (RSS now ${r1%.*} → ${r2%.*} KiB)"
growth=$(awk -v a="$p1" -v b="$p2" 'BEGIN {printf "%d", b - a}')
if [ "$s2" -lt "$STEPS" ]; then echo "soak: only $s2 of $STEPS steps ran" >&2; exit 1; fi
if [ "$growth" -gt "$LIMIT" ]; then echo "soak: peak memory grew by $growth KiB (> $LIMIT KiB)" >&2; exit 1; fi
echo "soak: peak memory grew by $growth KiB (limit $LIMIT KiB)"
