#!/usr/bin/env bash
# Cost of a portable CPU baseline: runs `retort bench train` and `retort bench attention`
# with two retort binaries, alternating ROUNDS times (so background load hits both alike),
# and prints a Markdown table of the best result of each and the portable build's time over
# the native one's (1.05 = the portable binary takes 5 % longer).
# Usage: tools/bench_target_cpu.sh NATIVE_RETORT PORTABLE_RETORT [ROUNDS=3]
# Build the portable one with: RETORT_TARGET_CPU=x86-64-v3 swift build -c release --build-path .build-v3
set -euo pipefail
native=${1:?usage: bench_target_cpu.sh NATIVE_RETORT PORTABLE_RETORT [ROUNDS]}
portable=${2:?usage: bench_target_cpu.sh NATIVE_RETORT PORTABLE_RETORT [ROUNDS]}
rounds=${3:-3}
sizes=197,1024,3136
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  for b in native portable; do
    bin=${!b}
    "$bin" bench train >>"$out/$b.train" 2>&1
    "$bin" bench attention --sizes "$sizes" >>"$out/$b.attn" 2>&1
  done
  echo "round $r of $rounds done" >&2
done
# best (max samples/s, min ms) per binary
train() { awk -v m="$2" '$1 == "retort" && $2 == m && $3 + 0 > best { best = $3 + 0 } END { print best }' "$out/$1.train"; }
attn() { awk -v n="$2" -v col="$3" '$1 == n && NF >= 7 { v = $col + 0; if (best == "" || v < best) best = v } END { print best }' "$out/$1.attn"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }
echo "| benchmark | native | portable | portable time / native time |"
echo "|---|---|---|---|"
for m in mlp cnn; do
  a=$(train native $m); b=$(train portable $m)
  echo "| bench train $m (samples/s) | $a | $b | $(ratio "$b" "$a") |"
done
for n in ${sizes//,/ }; do
  for k in softmax:2 taylor:4; do
    a=$(attn native "$n" "${k#*:}"); b=$(attn portable "$n" "${k#*:}")
    echo "| bench attention n=$n ${k%:*} (ms) | $a | $b | $(ratio "$a" "$b") |"
  done
done
