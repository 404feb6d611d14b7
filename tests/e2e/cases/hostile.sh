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

