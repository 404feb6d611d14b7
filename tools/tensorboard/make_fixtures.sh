#!/usr/bin/env bash
# Writes the TensorBoard fixtures of Tests/InteropTests: a short `retort train` and a short
# `retort distill` (fixed seeds, 1 thread), their event files, and what the real
# `tensorboard` package reads from them (read_events.py). Then checks that tensorboard's
# strict reader also rejects corrupted copies (length CRC, data CRC, truncation).
#
#   python3 -m venv .venv && .venv/bin/pip install tensorboard
#   PY=.venv/bin/python tools/tensorboard/make_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
BIN=${RETORT_BIN:-.build/release/retort}
OUT=Tests/InteropTests/Fixtures/tensorboard
mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BIN" train --data digits --model mlp --epochs 2 --test-count 300 --seed 3 --threads 1 --runs "$tmp" --name train --plain >/dev/null
"$BIN" distill --data digits --model mlp --hidden 4,4 --epochs 1 --log-every 10 --set-at 20:lr=0.01 --seed 1 --threads 1 \
  --runs "$tmp" --name distill --plain >/dev/null
"$PY" -c 'import tensorboard; print("tensorboard", tensorboard.__version__)'
for run in train distill; do
  cp "$tmp/$run"/events.out.tfevents.* "$OUT/$run.tfevents"
  "$PY" tools/tensorboard/read_events.py "$OUT/$run.tfevents" --out "$OUT/$run.json"
  "$PY" - "$OUT/$run.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{sys.argv[1]}: {d['records']} records, {len(d['scalars'])} tags, {sum(len(v) for v in d['scalars'].values())} scalars")
PYEOF
done
# Corrupted copies: flip a bit in the first scalar record's length CRC and data CRC, cut the file short.
f="$OUT/train.tfevents"
first=$("$PY" -c 'import struct,sys; b=open(sys.argv[1],"rb").read(); print(12+struct.unpack("<Q",b[:8])[0]+4)' "$f")
"$PY" - "$f" "$first" "$tmp" <<'PYEOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); r = int(sys.argv[2]); tmp = sys.argv[3]
n = int.from_bytes(b[r:r + 8], "little")
for name, pos in (("length-crc", r + 8), ("data-crc", r + 12 + n)):
    c = bytearray(b); c[pos] ^= 1
    open(f"{tmp}/{name}.tfevents", "wb").write(c)
open(f"{tmp}/truncated.tfevents", "wb").write(b[:len(b) - 3])
PYEOF
for bad in length-crc data-crc truncated; do
  if out=$("$PY" tools/tensorboard/read_events.py "$tmp/$bad.tfevents" 2>&1 >/dev/null); then
    echo "tensorboard accepted the $bad copy"; exit 1
  fi
  echo "tensorboard rejects $bad: $out"
done
