#!/usr/bin/env bash
# Fuzzes every file parser with libFuzzer for a fixed budget each and reports iterations
# and findings. Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]   (or: make fuzz)
# Builds retort-fuzz with -sanitize=fuzzer into .build-fuzz (separate from the normal
# build); seeds come from the bundled files and the bad-input corpus; findings (crashing
# inputs) are written to fuzz-findings/TARGET/ and make the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-60}; shift || true
TARGETS=("$@"); [ ${#TARGETS[@]} -eq 0 ] && TARGETS=(config data-sidecar theme csv gzip scalesim-config topology topology-writer accel-config safetensors tfrecord npy npz idx cifar cnn-spec vit-spec)
swift build -c release --scratch-path .build-fuzz --product retort-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -parse-as-library 2>&1 | { grep -E "error|omplete" || true; } | tail -2
BIN=.build-fuzz/release/retort-fuzz
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
seeds() { # TARGET → seed files
  case "$1" in
    config) ls configs/run/*.yaml tests/bad-inputs/files/config/* ;;
    theme) ls themes/*.toml tests/bad-inputs/files/themes/* ;;
    csv) zcat sample-data/digits_8x8.csv.gz | head -20 > "$work/digits-head.csv"; echo "$work/digits-head.csv"
         head -c 4000 tests/fixtures/train/csv/kaggle_train.csv > "$work/kaggle-head.csv"; echo "$work/kaggle-head.csv"
         find tests/bad-inputs/files/formats -name '*.csv' ;;
    data-sidecar) ls tests/fixtures/train/csv/*.yaml; find tests/bad-inputs/files/formats -name '*.csv.yaml' ;;
    gzip) ls sample-data/digits_8x8.csv.gz; find tests/bad-inputs/files/data -name '*.gz' -size -64k ;;
    scalesim-config) ls configs/accelerator/*.cfg configs/accelerator/scalesim-v2/*.cfg tests/bad-inputs/files/scalesim/* ;;
    topology) ls configs/accelerator/*.csv tests/bad-inputs/files/topology/* ;;
    topology-writer) ls configs/accelerator/*.csv configs/accelerator/scalesim-v2/*.cfg ;;
    accel-config) ls configs/accelerator/*.json tests/bad-inputs/files/accel/* ;;
    safetensors) ls Tests/InteropTests/Fixtures/safetensors/*.torch.safetensors tests/bad-inputs/files/safetensors/* ;;
    tfrecord) ls Tests/InteropTests/Fixtures/tensorboard/*.tfevents tests/bad-inputs/files/events/* ;;
    npy) find tests/fixtures/data/npy tests/bad-inputs/files/formats -name '*.npy' ;;
    npz) find tests/fixtures/data/npz tests/bad-inputs/files/formats -name '*.npz' ;;
    idx) n=0; for f in $(find tests/fixtures/data/idx* tests/bad-inputs/files/formats -name '*ubyte*'); do
           n=$((n+1)); case "$f" in *.gz) if zcat "$f" > "$work/idx-$n" 2>/dev/null; then echo "$work/idx-$n"; fi ;; *) echo "$f" ;; esac; done ;;
    cnn-spec) ls tests/bad-inputs/files/specs/cnn-* ;;
    vit-spec) ls tests/bad-inputs/files/specs/vit-* ;;
    cifar) head -c 12292 tests/fixtures/data/cifar10/test_batch.bin > "$work/c10.bin"; head -c 6148 tests/fixtures/data/cifar100/test.bin > "$work/c100.bin"
           echo "$work/c10.bin"; echo "$work/c100.bin"; find tests/bad-inputs/files/formats -name '*.bin' ;;
  esac
}
status=0
printf '%-16s %10s %8s %9s %s\n' target runs seconds findings "coverage (edges)"
for t in "${TARGETS[@]}"; do
  mkdir -p "$work/$t" "fuzz-findings/$t"
  for s in $(seeds "$t"); do cp "$s" "$work/$t/"; done
  log="$work/$t.log"
  RETORT_FUZZ_TARGET=$t "$BIN" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="fuzz-findings/$t/" -print_final_stats=1 "$work/$t" >"$log" 2>&1 || true
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo "?")
  found=$(find "fuzz-findings/$t" -type f | wc -l)
  printf '%-16s %10s %8s %9s %s\n' "$t" "$runs" "$SECONDS_PER" "$found" "$cov"
  if [ "$found" -gt 0 ]; then status=1; grep -E "ERROR|Fatal|==[0-9]+==" "$log" | head -5; fi
done
exit $status
