# Signals, handled deliberately: in the TUI (tmux) and headless.
. tests/e2e/lib/tmux.sh
SIGRUN="$ABS_BIN --runs $tmp/sig-runs --data digits --epochs 400"
sigpid() { pgrep -f -n -- "$tmp/sig-runs --data digits --epochs 400"; }

# TUI: Ctrl-\ (SIGQUIT) and SIGHUP quit cleanly; Ctrl-Z (SIGTSTP) gives the terminal back, SIGCONT redraws
start quit "SWIFT_BACKTRACE=enable=yes $SIGRUN"; wait_for quit RUNNING; tmuxq send-keys -t quit 'C-\'; restored quit "TUI Ctrl-\\ (SIGQUIT)" 131
start hup "$SIGRUN"; wait_for hup RUNNING; kill -HUP "$(sigpid)"; restored hup "TUI SIGHUP" 129
start tstp "$SIGRUN"; wait_for tstp RUNNING; p=$(sigpid); kill -TSTP "$p"; sleep 1
alt=$(tmuxq display -p -t tstp '#{alternate_on}'); st=$(ps -o stat= -p "$p")
[ "$alt" = 0 ] && [[ "$st" == T* ]] && ok "TUI SIGTSTP: stopped with the terminal given back" || bad "TUI SIGTSTP: alternate_on=$alt state=$st" "$(screen tstp)"
kill -CONT "$p"; sleep 1; tmuxq send-keys -t tstp 'C-l'
wait_for tstp 'RUNNING' 10 && [ "$(tmuxq display -p -t tstp '#{alternate_on}')" = 1 ] && ok "TUI SIGCONT: redrawn and running" || bad "TUI SIGCONT" "$(screen tstp)"
tmuxq send-keys -t tstp q; restored tstp "TUI quit after SIGCONT" 0

# Headless: one line and 128+n; no crash report (SIGQUIT used to print one and train on)
for s in QUIT HUP TERM INT; do
  SWIFT_BACKTRACE=enable=yes "$BIN" train --data digits --model mlp --epochs 400 --runs "$tmp/sig-headless" --plain >/dev/null 2>"$tmp/sig.err" &
  hp=$!
  for i in $(seq 50); do [ -n "$(ls "$tmp/sig-headless" 2>/dev/null)" ] && break; sleep 0.1; done; sleep 0.3
  kill -$s "$hp"; wait "$hp"; rc=$?
  want=$((128 + $(kill -l $s)))
  if [ "$rc" = "$want" ] && [ "$(wc -l < "$tmp/sig.err")" = 1 ] && grep -q "stopped by SIG$s" "$tmp/sig.err"; then ok "headless SIG$s: one line, exit $want"
  else bad "headless SIG$s: exit $rc (want $want)" "$(head -5 "$tmp/sig.err")"; fi
done

# compare: a run's row is in runs.csv before the line that reports it; SIGINT mid-study ends
# with the signal line and a second one saying how many runs are saved and where
"$BIN" compare --data mnist5k --model cnn --epochs 1 --seeds 8 --conditions base --parallel 1 \
  --runs "$tmp/cmp" --name c >"$tmp/cmp.out" 2>"$tmp/cmp.err" &
cpid=$!
for i in $(seq 600); do grep -q '^ *\[ *2/8\]' "$tmp/cmp.out" 2>/dev/null && break; sleep 0.1; done
kill -INT "$cpid"; wait "$cpid"; rc=$?
reported=$(grep -c '^ *\[ *[0-9]*/8\]' "$tmp/cmp.out")
rows=$(( $(wc -l < "$tmp/cmp/c/runs.csv" 2>/dev/null || echo 1) - 1 ))
noted=$(grep -oE '^retort: [0-9]+ of 8 runs had finished' "$tmp/cmp.err" | grep -oE '[0-9]+' | head -1)
if [ "$rc" = 130 ] && [ "$reported" -ge 2 ] && [ "$rows" -ge "$reported" ] && [ -n "$noted" ] && [ "$noted" -le "$rows" ] && [ "$noted" -ge "$reported" ] \
   && [ "$(wc -l < "$tmp/cmp.err")" = 2 ] && grep -q "their rows are in $tmp/cmp/c/runs.csv" "$tmp/cmp.err" && [ ! -e "$tmp/cmp/c/table.md" ]
then ok "compare SIGINT: $reported runs reported, $rows rows in runs.csv, the stop line says $noted are saved"
else bad "compare SIGINT: exit $rc, $reported reported, $rows rows, noted '$noted'" "$(cat "$tmp/cmp.err")"; fi
