# tmux helpers for the TUI cases (sourced): a detached pane per session that records
# `stty -a` and the exit code when the command ends.
ABS_BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
export TMUX_TMPDIR="$tmp"
tmuxq() { tmux -f /dev/null "$@"; }
# start NAME COMMAND — the pane's shell ignores SIGINT so that it survives Ctrl-C and records the exit code
start() {
  tmuxq kill-session -t "$1" 2>/dev/null
  tmuxq new-session -d -s "$1" -x 120 -y 36 "trap '' INT; cd '$PWD' && $2; rc=\$?; stty -a > '$tmp/$1.stty'; echo EXIT=\$rc > '$tmp/$1.rc'; sleep 60"
}
screen() { tmuxq capture-pane -p -t "$1" 2>/dev/null; }
wait_for() { # SESSION REGEX [SECONDS]
  local i; for i in $(seq $((${3:-20} * 10))); do screen "$1" | grep -qE -- "$2" && return 0; sleep 0.1; done; return 1
}
wait_rc() { local i; for i in $(seq 100); do [ -s "$tmp/$1.rc" ] && return 0; sleep 0.1; done; return 1; }
restored() { # SESSION NAME WANT_RC
  if ! wait_rc "$1"; then bad "$2: did not exit" "$(screen "$1")"; return; fi
  local rc; rc=$(sed 's/EXIT=//' "$tmp/$1.rc")
  local alt; alt=$(tmuxq display -p -t "$1" '#{alternate_on}')
  if [ "$rc" = "$3" ] && [ "$alt" = 0 ] && grep -qE '(^| )echo( |$)' "$tmp/$1.stty" && grep -qE '(^| )icanon( |$)' "$tmp/$1.stty"; then
    ok "$2: exit $rc, alternate screen off, echo and icanon restored"
  else bad "$2: exit $rc (want $3), alternate_on=$alt, stty: $(grep -oE -- '-?echo |-?icanon ' "$tmp/$1.stty" | tr '\n' ' ')"; fi
}
# start_sized NAME WIDTH HEIGHT COMMAND — as start, in a WIDTH×HEIGHT window
start_sized() {
  tmuxq kill-session -t "$1" 2>/dev/null
  tmuxq new-session -d -s "$1" -x "$2" -y "$3" "trap '' INT; cd '$PWD' && $4; rc=\$?; stty -a > '$tmp/$1.stty'; echo EXIT=\$rc > '$tmp/$1.rc'; sleep 60"
}
# cmdline SESSION TEXT — types `:TEXT` and Enter
cmdline() { tmuxq send-keys -t "$1" ':'; tmuxq send-keys -t "$1" -l "$2"; tmuxq send-keys -t "$1" Enter; }
