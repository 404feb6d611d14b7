# Issue 17's readouts in a real terminal (tmux), at 80×24 and 200×60, under every theme in
# themes/ and with NO_COLOR=1: `:` completion with candidates, the training gradient norm,
# ETA, chart cursor and lr/‖g‖ charts, the Accelerator's tables, DRAM bytes and timeline
# export, the Attention queue edits and mask density, the Runs filter and sort, legends in help.
. tests/e2e/lib/tmux.sh
RR="$ABS_BIN --runs $tmp/tui-readouts --data digits --model mlp --epochs 1 --paused"

# The whole walk once (dark theme): every tab at 80×24, then the tall layouts at 200×60.
start_sized rd 80 24 "$RR --name rd --theme dark"
wait_for rd 'PAUSED' 15 || bad "readouts: TUI did not start" "$(screen rd)"
tmuxq send-keys -t rd N
wait_for rd 'step 10' 10 && wait_for rd '‖g‖ [0-9]' 5 && wait_for rd 'ETA [0-9]{2}:[0-9]{2}:[0-9]{2}' 5 \
  && ok "80×24 Training: gradient norm and ETA after 10 steps" || bad "training readouts" "$(screen rd)"
[ "$(screen rd | grep -c ' └─')" -ge 2 ] && ok "80×24 Training: loss and accuracy charts keep their axes" || bad "axes at 80×24" "$(screen rd)"
tmuxq send-keys -t rd '<'
wait_for rd 'Loss · step [0-9]+: step [0-9.]+' 5 && ok "< puts the chart cursor on the charts; the Loss title reads step and values" || bad "chart cursor" "$(screen rd | sed -n 3,4p)"
tmuxq send-keys -t rd '>'; sleep 0.2
screen rd | grep -q 'Loss · step' && bad "> past the newest point keeps the cursor" || ok "> past the newest point hides the cursor"
tmuxq send-keys -t rd ':'; tmuxq send-keys -t rd -l 'set '; tmuxq send-keys -t rd Tab
wait_for rd ':set _ +lr +momentum +weight_decay' 5 && ok "Tab after ':set ' lists the setting names" || bad "set completion" "$(screen rd | tail -2)"
tmuxq send-keys -t rd Escape
# Accelerator
tmuxq send-keys -t rd 4
wait_for rd 'cycle 0 / 58860' 15 || bad "accelerator tab did not open" "$(screen rd)"
tmuxq send-keys -t rd ':'; tmuxq send-keys -t rd -l 'set attention '; tmuxq send-keys -t rd Tab
wait_for rd ':set attention _ +taylor +softmax' 5 && ok "Tab after ':set attention ' lists taylor and softmax" || bad "choice completion" "$(screen rd | tail -2)"
tmuxq send-keys -t rd C-u; tmuxq send-keys -t rd -l 'break q-g'; tmuxq send-keys -t rd Tab
wait_for rd ':break q-g _' 5 && ok "Tab completes the stage name after ':break'" || bad "stage completion" "$(screen rd | tail -2)"
tmuxq send-keys -t rd Escape
wait_for rd 'DRAM [0-9.]+ [kMG]?B read' 5 && ok "80×24 Accelerator: DRAM bytes in the counters" || bad "DRAM bytes" "$(screen rd)"
tmuxq send-keys -t rd c; wait_for rd 'Cycles per layer' 5 && ok "c shows the cycles per layer" || bad "layer table" "$(screen rd)"
tmuxq send-keys -t rd c; wait_for rd 'map %.*energy µJ' 5 && ok "c again shows utilisation, mapping and energy per unit" || bad "unit table" "$(screen rd)"
cmdline rd "export $tmp/rd-timeline.csv"
wait_for rd "wrote .*rd-timeline\.csv \([0-9]+ rows" 10 && ok ":export writes the timeline" || bad ":export" "$(screen rd | tail -2)"
"$BIN" sim vitality --attention taylor --timeline "$tmp/cli-timeline.csv" >/dev/null 2>&1
cmp -s "$tmp/rd-timeline.csv" "$tmp/cli-timeline.csv" && ok ":export writes the same CSV as retort sim vitality --timeline" \
  || bad ":export differs from the CLI's timeline" "$(diff "$tmp/rd-timeline.csv" "$tmp/cli-timeline.csv" 2>&1 | head -3)"
tmuxq send-keys -t rd '?' End; wait_for rd 'stall-bw' 5 && ok "80×24 Accelerator help (scrolled to its end) explains stall-bw" || bad "accelerator legend" "$(screen rd)"
tmuxq send-keys -t rd Escape
# Attention: reorder and remove queued runs, then the mask density of a taylor-sparse run
tmuxq send-keys -t rd 3
wait_for rd 'Attention settings \(live\)' 20 || bad "attention tab did not open" "$(screen rd)"
cmdline rd "up 3"; wait_for rd 'run 3 \(taylor-sparse\) is now run 2' 5 && ok ":up 3 moves a queued run earlier" || bad ":up" "$(screen rd | tail -2)"
cmdline rd "up 2"; wait_for rd 'queue: taylor-sparse, softmax, taylor' 5 && ok "the queue order follows" || bad "queue order" "$(screen rd | tail -2)"
tmuxq send-keys -t rd x; wait_for rd 'run 3 \(taylor\) removed from the queue; 2 runs' 5 && ok "x removes the newest queued run" || bad "x remove" "$(screen rd | tail -2)"
tmuxq send-keys -t rd n
wait_for rd 'mask [0-9.]+%' 30 && ok "80×24 Attention: taylor-sparse mask density" || bad "mask density" "$(screen rd)"
cmdline rd "remove 1"; wait_for rd '! remove: run 1 has started' 5 && ok "a started run cannot be removed" || bad "remove started" "$(screen rd | tail -2)"
# Distill: the collapse setting and the width legend
tmuxq send-keys -t rd 2
wait_for rd 'Distill settings \(live\)' 20 || bad "distill tab did not open" "$(screen rd)"
tmuxq send-keys -t rd '?' End; wait_for rd 'out\[1,1\]' 5 && ok "Distill help explains out[…] widths and collapse" || bad "distill legend" "$(screen rd)"
tmuxq send-keys -t rd Escape
cmdline rd "set collapse 5"; wait_for rd 'collapse 10 → 5 points' 5 && ok ":set collapse 5 sets the collapse threshold" || bad "collapse" "$(screen rd | tail -2)"
# Runs: filter and sort
tmuxq send-keys -t rd 5; wait_for rd 'Runs · ' 5
tmuxq send-keys -t rd S; wait_for rd 'sorted by name' 5 && ok "S sorts the run list" || bad "runs sort" "$(screen rd | sed -n 3p)"
tmuxq send-keys -t rd /; tmuxq send-keys -t rd -l 'zzz'; tmuxq send-keys -t rd Enter
wait_for rd "No run matches the filter 'zzz'" 5 && ok "/ filters the run list" || bad "runs filter" "$(screen rd)"
# 200×60: the tall layouts
tmuxq resize-window -t rd -x 200 -y 60
tmuxq send-keys -t rd 1
wait_for rd 'lr \(current\)' 5 && wait_for rd 'Gradient norm ‖g‖' 5 && ok "200×60 Training: lr and gradient-norm charts" || bad "tall training" "$(screen rd | head -40)"
tmuxq send-keys -t rd '?'; wait_for rd 'ETA: time left at the recent pace' 5 && ok "200×60 Training help explains ‖g‖, ETA and –" || bad "training legend" "$(screen rd)"
tmuxq send-keys -t rd Escape
tmuxq send-keys -t rd 4; wait_for rd 'SA-General\[0\] ' 5 && ok "200×60 Accelerator: the unit table lists every unit" || bad "tall unit table" "$(screen rd)"
tmuxq send-keys -t rd q; restored rd "readouts session" 0

# Every theme and NO_COLOR: the readouts are on screen at both sizes.
for th in $(ls themes | sed 's/\.toml$//') NO_COLOR; do
  if [ "$th" = NO_COLOR ]; then cmd="NO_COLOR=1 $RR"; else cmd="$RR --theme $th"; fi
  start_sized "th$th" 80 24 "$cmd"
  wait_for "th$th" 'PAUSED' 15
  tmuxq send-keys -t "th$th" N '<'
  wait_for "th$th" 'Loss · step [0-9]+:' 10 && screen "th$th" | grep -qE '‖g‖ [0-9]' && screen "th$th" | grep -q 'ETA ' \
    && ok "$th 80×24: gradient norm, ETA and chart cursor" || bad "$th 80×24 training" "$(screen "th$th")"
  tmuxq send-keys -t "th$th" 4 c
  wait_for "th$th" 'Cycles per layer' 15 && ok "$th 80×24: Accelerator cycles per layer" || bad "$th accelerator" "$(screen "th$th")"
  tmuxq resize-window -t "th$th" -x 200 -y 60
  tmuxq send-keys -t "th$th" 1
  wait_for "th$th" 'Gradient norm ‖g‖ · step' 5 && ok "$th 200×60: lr and ‖g‖ charts with the cursor readout" || bad "$th 200×60" "$(screen "th$th" | head -30)"
  if [ "$th" = NO_COLOR ]; then
    tmuxq capture-pane -p -e -t "th$th" | grep -qE $'\e\\[[0-9;]*(3[0-7]|9[0-7]|38;5;[0-9]+)m' && bad "NO_COLOR: colours drawn" || ok "NO_COLOR: readouts without colour"
  fi
  tmuxq send-keys -t "th$th" q
done
tmuxq kill-server 2>/dev/null
