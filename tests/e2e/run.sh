#!/usr/bin/env bash
# End-to-end tests of the retort binary: CLI, errors users see, run folders.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${RETORT_BIN:-.build/release/retort}
export SWIFT_BACKTRACE=interactive=no
tmp=$(mktemp -d); trap 'TMUX_TMPDIR=$tmp tmux -f /dev/null kill-server 2>/dev/null; sleep 0.3; rm -rf "$tmp"' EXIT
pass=0; fail=0
ok()   { pass=$((pass+1)); echo "ok   $1"; }
bad()  { fail=$((fail+1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -5 | sed 's/^/     /'; }
# expect NAME EXPECTED_STATUS REGEX -- command...   (checks status and that stderr+stdout match REGEX)
expect() {
  local name=$1 want=$2 re=$3; shift 4
  local out; out=$("$@" 2>&1); local rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$name (exit $rc, wanted $want)" "$out"; return; fi
  if ! grep -qE -- "$re" <<<"$out"; then bad "$name (output does not match /$re/)" "$out"; return; fi
  ok "$name"
}
# E2E_CASES="cli data" runs only those case files (default: all)
files=(tests/e2e/cases/*.sh)
[ -n "${E2E_CASES:-}" ] && files=($(printf 'tests/e2e/cases/%s.sh ' $E2E_CASES))
for f in "${files[@]}"; do . "$f"; done
echo
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
