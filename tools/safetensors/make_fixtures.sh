#!/usr/bin/env bash
# Writes the safetensors fixtures of Tests/InteropTests: short fixed-seed single-thread runs
# export an MLP, two tiny CNNs (digits, MNIST), two Distill students and two ViTs (softmax, Taylor); `retort eval
# --probe` records the first 8 test images with Retort's logits; check_export.py loads every
# file with the real safetensors package into PyTorch modules, compares logits, and writes
# PyTorch-made files (save_file) for the import tests.
#
#   python3 -m venv .venv && .venv/bin/pip install torch safetensors
#   PY=.venv/bin/python tools/safetensors/make_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
BIN=${RETORT_BIN:-.build/release/retort}
OUT=Tests/InteropTests/Fixtures/safetensors
rm -rf "$OUT"; mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
common=(--threads 1 --runs "$tmp" --plain)
"$BIN" train --data digits --model mlp --width 0.25 --epochs 3 --test-count 300 --seed 2 --name mlp "${common[@]}" --export "$OUT/mlp.safetensors" | tail -1
"$BIN" train --data digits --model cnn --width 0.5 --epochs 3 --test-count 300 --seed 2 --name cnn "${common[@]}" --export "$OUT/cnn.safetensors" | tail -1
"$BIN" train --data mnist5k --model cnn --width 0.25 --epochs 1 --test-count 500 --seed 2 --name cnnm "${common[@]}" --export "$OUT/cnn_mnist.safetensors" | tail -1
"$BIN" distill --data digits --model cnn --student-width 0.5 --teacher-width 2 --epochs 3 --seed 1 --name scnn "${common[@]}" \
  --export "$OUT/student_cnn.safetensors" | tail -1
"$BIN" distill --data digits --model mlp --hidden 8,8 --teacher-width 4 --epochs 3 --seed 1 --name smlp "${common[@]}" \
  --export "$OUT/student_mlp.safetensors" | tail -1
"$BIN" attention train --data digits --kinds softmax,taylor --seeds 1 --epochs 15 --width 16 --depth 2 --heads 2 \
  --threads 1 --runs "$tmp" --export-dir "$tmp/vit" | grep exported
cp "$tmp/vit/vit-softmax-digits-s1.safetensors" "$OUT/vit_softmax.safetensors"
cp "$tmp/vit/vit-taylor-digits-s1.safetensors" "$OUT/vit_taylor.safetensors"
for f in mlp cnn cnn_mnist student_cnn student_mlp vit_softmax vit_taylor; do
  "$BIN" eval --weights "$OUT/$f.safetensors" --threads 1 --probe "$OUT/$f.probe.safetensors" | sed -n 2p | sed "s/^/$f: /"
done
"$PY" tools/safetensors/check_export.py "$OUT" --make-torch
du -ch "$OUT"/*.safetensors | tail -1
