# Hostile inputs: output paths that are devices or missing folders, run roots that are files,
# numeric options far beyond memory and time, data files that are FIFOs or devices.
# Every probe ends in one `retort:` line (or ArgumentParser's message) and exit 64, 2 or 1,
# never a trap (132/134/139) or a hang (`timeout 10`).
h=$tmp/hostile; mkdir -p "$h"
# one_line NAME STATUS REGEX -- command...: like expect, and the output is a single line
one_line() {
  local name=$1 want=$2 re=$3; shift 4
  local out; out=$(timeout 10 "$@" 2>&1); local rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$name (exit $rc, wanted $want)" "$out"; return; fi
  if ! grep -qE -- "$re" <<<"$out"; then bad "$name (output does not match /$re/)" "$out"; return; fi
  if [ "$(grep -c . <<<"$out")" -ne 1 ]; then bad "$name (more than one line)" "$out"; return; fi
  ok "$name"
}

# item 1: writers go through AtomicFile
if mknod "$h/null" c 1 3 2>/dev/null; then
  "$BIN" sim vitality --layers 1 --attention taylor --timeline "$h/null" >/dev/null 2>&1; rc=$?
  if [ "$rc" -eq 0 ] && [ -c "$h/null" ]; then ok "sim vitality --timeline onto a device node keeps the device"
  else bad "sim vitality --timeline onto a device node keeps the device (exit $rc, $(stat -c %F "$h/null"))"; fi
else ok "sim vitality --timeline onto a device node (mknod not permitted here; skipped)"; fi
out=$("$BIN" sim vitality --layers 1 --attention taylor --timeline "$h/missing/t.csv" 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -q '^retort: .*missing/t.csv.*does not exist' <<<"$out" && ! grep -q NSCocoa <<<"$out"
then ok "sim vitality --timeline into a missing folder: one line"
else bad "sim vitality --timeline into a missing folder: one line (exit $rc)" "$out"; fi
echo x > "$h/afile"
one_line "--runs naming a regular file: one line" 2 "^retort: .*afile is a file, not a folder" -- \
  "$BIN" train --data digits --model mlp --epochs 1 --test-count 300 --threads 1 --runs "$h/afile" --plain

# item 2: numeric options have upper bounds (ArgumentParser validation: exit 64, never a trap)
probe() { # NAME REGEX -- args...
  local name=$1 re=$2; shift 3
  local out; out=$(timeout 20 "$BIN" "$@" --runs "$h/runs" 2>&1); local rc=$?
  if [ "$rc" -eq 64 ] && grep -qE -- "$re" <<<"$out"; then ok "bound: $name"; else bad "bound: $name (exit $rc, wanted 64)" "$out"; fi
}
probe "train --epochs 2e16" 'epochs: must be at most 1000000' -- train --data digits --model mlp --epochs 20000000000000000
probe "train --warmup-epochs 1e17" 'warmup-epochs: must be at most 1000000' -- train --data digits --model mlp --epochs 1 --warmup-epochs 1e17
probe "train --test-count huge" 'test-count: must be at most 10000000' -- train --data digits --model mlp --test-count 9000000000000000000
probe "train --checkpoint-every huge" 'checkpoint-every: must be at most 1000000000' -- train --data digits --model mlp --checkpoint-every 9000000000000000000
probe "attention train --depth 1000000" 'depth 4096' -- attention train --data digits --kinds taylor --depth 1000000
probe "attention train --width 1000000" 'width 65536' -- attention train --data digits --kinds taylor --width 1000000 --heads 1
probe "attention train --width 16384: needs GB" 'parameters needs [0-9]+ [GT]B' -- attention train --data digits --kinds taylor --width 16384 --heads 1
probe "attention train --epochs 2e16" 'epochs: must be at most 1000000' -- attention train --data digits --kinds taylor --epochs 20000000000000000
probe "attention train --warmup-epochs 1e17" 'warmup-epochs: must be at most 1000000' -- attention train --data digits --kinds taylor --warmup-epochs 1e17
probe "distill --recalibration-samples huge" 'recalibration-samples: must be at most 10000000' -- distill --data digits --recalibration-samples 9000000000000000000
probe "compare --test-count huge" 'test-count: must be at most 10000000' -- compare --data digits --test-count 9000000000000000000

# item 3: readers refuse FIFOs and devices (a regression hangs or eats memory: timeout 10 fails it)
mkdir -p "$h/fifo" "$h/zero"
mkfifo "$h/fifo/digits_8x8.csv.gz"; ln -s /dev/zero "$h/zero/digits_8x8.csv.gz"
one_line "data file that is a FIFO" 2 '^retort: .*digits_8x8.csv.gz: not a regular file \(a FIFO\); give a file' -- \
  "$BIN" train --data digits --model mlp --epochs 1 --data-dir "$h/fifo" --runs "$h/runs"
one_line "data file that is /dev/zero" 2 '^retort: .*digits_8x8.csv.gz: not a regular file \(a character device\); give a file' -- \
  "$BIN" train --data digits --model mlp --epochs 1 --data-dir "$h/zero" --runs "$h/runs"
one_line "sim vitality --config FIFO" 2 '^retort: .*: not a regular file \(a FIFO\)' -- "$BIN" sim vitality --config "$h/fifo/digits_8x8.csv.gz"
one_line "sim vitality --config /dev/zero" 2 '^retort: .*: not a regular file \(a character device\)' -- "$BIN" sim vitality --config "$h/zero/digits_8x8.csv.gz"
one_line "train --init /dev/zero" 2 '^retort: .*: not a regular file \(a character device\)' -- \
  "$BIN" train --data digits --model mlp --epochs 1 --test-count 300 --threads 1 --runs "$h/runs" --plain --init "$h/zero/digits_8x8.csv.gz"
for k in theme scalesim-config topology accel-config safetensors events checkpoint; do
  one_line "check $k of a FIFO" 2 '^retort: .*: not a regular file \(a FIFO\); give a file' -- "$BIN" check $k "$h/fifo/digits_8x8.csv.gz"
  one_line "check $k of /dev/zero" 2 '^retort: .*: not a regular file \(a character device\); give a file' -- "$BIN" check $k "$h/zero/digits_8x8.csv.gz"
done

# item 4: messages that name the real cause
one_line "data file that is /dev/null: a device, not a permission problem" 2 '^retort: .*: not a regular file \(a character device\)' -- \
  "$BIN" check data /dev/null --as digits
mkdir -p "$h/loop"; ln -s "$h/loop/digits_8x8.csv.gz" "$h/loop/digits_8x8.csv.gz"
one_line "data file that is a symlink loop" 2 '^retort: .*digits_8x8.csv.gz: a symbolic link loop; give a file' -- \
  "$BIN" train --data digits --model mlp --epochs 1 --data-dir "$h/loop" --runs "$h/runs"
one_line "RETORT_DATA naming no folder is an error, not a fallback" 2 '^retort: RETORT_DATA=.*nowhere: no such folder' -- \
  env RETORT_DATA="$h/nowhere" "$BIN" train --data digits --model mlp --epochs 1 --runs "$h/runs"
"$BIN" train --data digits --model mlp --width 0.25 --epochs 1 --test-count 300 --seed 4 --threads 1 --runs "$h/runs" --name exp \
  --plain --export "$h/mlp.safetensors" >/dev/null 2>&1
python3 - "$h/mlp.safetensors" "$h/nan.safetensors" <<'PY'
import json, struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
name, t = min(((k, v) for k, v in h.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0])
b[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][0] + 4] = struct.pack("<f", float("nan"))
open(sys.argv[2], "wb").write(b)
PY
one_line "train --init with NaN weights names the tensor, not a divergence" 2 \
  '^retort: .*nan.safetensors: init: tensor .* holds non-finite values \(NaN or ±inf\); give finite weights$' -- \
  "$BIN" train --data digits --model mlp --width 0.25 --epochs 1 --test-count 300 --threads 1 --runs "$h/runs" --plain --init "$h/nan.safetensors"

# issue 18, the rest. A checkpoint of another engine, copied into a training run's
# checkpoints/ (and named by latest), is refused naming its engine and left as it is.
"$BIN" train --data digits --model mlp --width 0.25 --epochs 1 --test-count 300 --threads 1 --runs "$h/eng" --name t --plain >/dev/null 2>&1
"$BIN" distill --data digits --model mlp --epochs 1 --test-count 300 --threads 1 --runs "$h/eng" --name d --plain >/dev/null 2>&1
dck=$(cat "$h/eng/d/checkpoints/latest" 2>/dev/null)
cp "$h/eng/d/checkpoints/$dck" "$h/eng/t/checkpoints/step-09999999.ckpt" && cp "$h/eng/d/checkpoints/$dck" "$h/distill.ckpt"
echo step-09999999.ckpt > "$h/eng/t/checkpoints/latest"
one_line "resume of a training run holding a distill checkpoint: refused naming the engine" 2 \
  '^retort: .*step-09999999\.ckpt: a distillation checkpoint \(written by retort distill\), not a training one; the file is left as it is$' -- \
  "$BIN" resume "$h/eng/t" --plain
if cmp -s "$h/distill.ckpt" "$h/eng/t/checkpoints/step-09999999.ckpt" && [ ! -e "$h/eng/t/checkpoints/step-09999999.ckpt.corrupt" ]
then ok "the other engine's checkpoint is neither renamed nor altered"; else bad "the other engine's checkpoint was renamed or altered" "$(ls "$h/eng/t/checkpoints")"; fi
one_line "check checkpoint names the engine" 0 '^ok: checkpoint .*: a distillation checkpoint \(written by retort distill\), .*checksum verified$' -- \
  "$BIN" check checkpoint "$h/distill.ckpt"

# duplicate JSON keys and physical values out of bounds; a 1×1×1 GEMM on a 1×1 array is 1 cycle
printf '{"hardware": {"clock_mhz": 500,\n  "clock_mhz": 1}}\n' > "$h/dup.json"
one_line "accelerator config with a duplicate key" 2 '^retort: .*dup\.json:2: hardware\.clock_mhz: duplicate key' -- "$BIN" sim vitality --config "$h/dup.json"
echo '{"hardware": {"clock_mhz": 1e-300}}' > "$h/clock.json"
one_line "accelerator config clock 1e-300 MHz" 2 '^retort: .*clock\.json: hardware\.clock_mhz: must be at least 1 \(allowed 1…100000\), got 1e-300$' -- \
  "$BIN" sim vitality --config "$h/clock.json"
expect "sim gemm 1×1×1 on 1×1: 1 cycle, 100 % utilisation (not 0 and inf)" 0 '^os,1,100\.0,100\.0,100\.0,1$' -- \
  "$BIN" sim gemm -m 1 -k 1 -n 1 --array 1x1 --dataflow os --csv

# few file descriptors (ulimit -n 8): one line and exit 1 before anything is opened, never a
# trap in libdispatch (exit 132) or a hang; a soft limit alone is raised and the command works
for c in "train --data digits --model mlp --epochs 1 --test-count 300 --threads 2 --runs $h/fd --plain" "sim gemm -m 8 -k 8 -n 8" "sim vitality --layers 1"; do
  one_line "ulimit -n 8: ${c%% --*}" 1 '^retort: only 8 open files are allowed \(ulimit -n 8\); Retort needs at least 64: raise the limit \(ulimit -n 64\)$' -- \
    bash -c "ulimit -n 8; exec $BIN $c"
done
[ -z "$(ls -A "$h/fd" 2>/dev/null)" ] && ok "ulimit -n 8: no run folder left behind" || bad "ulimit -n 8 left a run folder" "$(ls "$h/fd")"
expect "ulimit -Sn 8 (soft only): raised, the command works" 0 'total cycles' -- bash -c "ulimit -Sn 8; exec $BIN sim gemm -m 8 -k 8 -n 8"
if command -v tmux >/dev/null; then
  . tests/e2e/lib/tmux.sh
  start fd "ulimit -n 8; $ABS_BIN --runs $h/fd --data digits --epochs 1"
  if wait_rc fd && [ "$(cat "$tmp/fd.rc")" = EXIT=1 ] && screen fd | grep -q '^retort: only 8 open files are allowed'; then ok "ulimit -n 8: the TUI refuses in one line (exit 1)"
  else bad "ulimit -n 8: the TUI ($(cat "$tmp/fd.rc" 2>/dev/null))" "$(screen fd)"; fi
  tmuxq kill-session -t fd 2>/dev/null
fi

# benchmark options are bounded too (found by fuzzing the options: each used to abort allocating terabytes)
expect "bound: bench train --threads 1e8" 64 'threads at most 256' -- timeout 20 "$BIN" bench train --threads 100000000
expect "bound: bench gemm --sizes 1e8" 64 'each size must be at most 16384' -- timeout 20 "$BIN" bench gemm --sizes 100000000
expect "bound: bench attention --dim 1e8" 64 'dim must be at most 4096' -- timeout 20 "$BIN" bench attention --dim 100000000
expect "bound: bench tui --height 1e8" 64 'height must be at most 4096' -- timeout 20 "$BIN" bench tui --height 100000000
