#!/usr/bin/env bash
# Writes the safetensors fixtures of models built from specs (Tests/InteropTests, folder
# safetensors-specs): an MLP with three hidden layers (--mlp-hidden), NetAug's MCUNet at width
# 0.125 on MNIST (--cnn-preset mcunet: kernels 3/5/7, repeated rows, shortcuts), a Distill
# student of a hand-written --cnn spec (kernel 5 and 7 rows with repeats) and a ViT with
# non-default depth, width, heads, patch and MLP ratio (--vit). Then check_export.py rebuilds
# each in PyTorch from the file's metadata (retort.cnn for the CNNs) and shapes, compares the
# logits and writes PyTorch-made files of the same specs for the import tests.
#
#   PY=.venv/bin/python tools/safetensors/make_spec_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
BIN=${RETORT_BIN:-.build/release/retort}
OUT=Tests/InteropTests/Fixtures/safetensors-specs
rm -rf "$OUT"; mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
common=(--threads 1 --runs "$tmp" --plain)
"$BIN" train --data digits --model mlp --mlp-hidden 48,32,16 --epochs 3 --test-count 300 --seed 2 --name mlp3 "${common[@]}" \
  --export "$OUT/mlp3.safetensors" | tail -1
"$BIN" train --data mnist5k --model cnn --cnn-preset mcunet --width 0.125 --epochs 1 --test-count 500 --seed 2 --name mcu "${common[@]}" \
  --export "$OUT/cnn_mcunet.safetensors" | tail -1
"$BIN" distill --data digits --model cnn --cnn "stem=8/1; 1,8,1,1; 4,12,2,2,5; 3,16,2,1,7; head=32" --teacher-width 2 --teacher-expand 1.5 \
  --epochs 3 --seed 1 --name scnn "${common[@]}" --export "$OUT/student_cnn_spec.safetensors" | tail -1
"$BIN" attention train --data mnist5k --kinds softmax --seeds 1 --epochs 1 --test-count 500 --vit "depth=3,width=24,heads=3,patch=7,mlp=2" \
  --threads 1 --runs "$tmp" --export-dir "$tmp/vit" | grep exported
cp "$tmp/vit/vit-softmax-mnist5k-s1.safetensors" "$OUT/vit_spec.safetensors"
for f in mlp3 cnn_mcunet student_cnn_spec vit_spec; do
  "$BIN" eval --weights "$OUT/$f.safetensors" --threads 1 --probe "$OUT/$f.probe.safetensors" | sed -n 2p | sed "s/^/$f: /"
done
"$PY" tools/safetensors/check_export.py "$OUT" --make-torch
du -ch "$OUT"/*.safetensors | tail -1
