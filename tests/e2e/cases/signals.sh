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
