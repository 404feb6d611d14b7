# The TUI in a real terminal (tmux): start-up refusals, live edits, resize, and the
# terminal restored after q, Ctrl-C, SIGTERM and a crash.
. tests/e2e/lib/tmux.sh
RUN="$ABS_BIN --runs $tmp/tui-runs --data digits --epochs 400"

expect "TUI refuses a non-TTY stdin/stdout" 2 'needs an interactive terminal.*headless' -- "$BIN" tui </dev/null
start dumb "TERM=dumb $RUN"
if wait_rc dumb && grep -q 'EXIT=2' "$tmp/dumb.rc"; then ok "TERM=dumb is refused with exit 2"; else bad "TERM=dumb" "$(screen dumb)"; fi
screen dumb | grep -q 'TERM=dumb cannot address the cursor' && ok "TERM=dumb message names the problem" || bad "TERM=dumb message" "$(screen dumb)"
start unknown "TERM=unknownxyz $RUN"
wait_rc unknown; screen unknown | grep -q "cannot initialise terminal type 'unknownxyz'" && ok "unknown TERM gets its own message" || bad "unknown TERM" "$(screen unknown)"

# A live session: training runs, lr changed from the command line, resize, quit.
start live "$RUN --name live --theme dark"
if wait_for live 'RUNNING' && wait_for live 'Hyperparameters \(live\)'; then ok "TUI starts with training running"; else bad "TUI did not start" "$(screen live)"; fi
wait_for live 'step [1-9][0-9]' && ok "steps advance on screen" || bad "no progress" "$(screen live)"
tmuxq send-keys -t live ':' ; tmuxq send-keys -t live -l 'set lr 0.02'; tmuxq send-keys -t live Enter
wait_for live "lr 0\.1 → 0\.02" 10 && ok "':set lr 0.02' is applied and confirmed" || bad "lr change not confirmed" "$(screen live | tail -3)"
wait_for live 'lr +0\.02 ' 5 && ok "hyperparameter panel shows the new lr" || bad "panel lr" "$(screen live | sed -n 3,6p)"
sleep 0.5
grep -q ',lr,0.1,0.02,' "$tmp/tui-runs/live/hparams.csv" 2>/dev/null && ok "lr change logged with its step in hparams.csv" || bad "hparams.csv" "$(cat "$tmp/tui-runs/live/hparams.csv" 2>&1)"
tmuxq send-keys -t live ':' ; tmuxq send-keys -t live -l 'set lr -1'; tmuxq send-keys -t live Enter
wait_for live '! lr: must be in \(0, 10\], got -1' 5 && ok "negative lr typed in the TUI is refused with a message" || bad "negative lr" "$(screen live | tail -3)"
tmuxq send-keys -t live j j Enter; tmuxq send-keys -t live -l 'abc'; tmuxq send-keys -t live Enter
wait_for live "value: abc_ +! weight_decay: 'abc' is not a number" 5 && ok "typed non-number is refused, edit stays open" || bad "typed non-number" "$(screen live | tail -3)"
tmuxq send-keys -t live Escape
tmuxq send-keys -t live ' '; wait_for live 'PAUSED' 5 && ok "space pauses" || bad "pause" "$(screen live | head -1)"
s1=$(screen live | head -1 | grep -oE 'step [0-9]+'); tmuxq send-keys -t live n; sleep 0.5
s2=$(screen live | head -1 | grep -oE 'step [0-9]+')
[ "${s1#step }" -ge 0 ] && [ "$((${s2#step } - ${s1#step }))" = 1 ] && ok "n steps exactly once while paused ($s1 → $s2)" || bad "single step: $s1 → $s2"
tmuxq send-keys -t live '?'; wait_for live 'Keys — \? or Esc closes' 5 && ok "? opens the key help" || bad "help overlay"
tmuxq send-keys -t live Escape
tmuxq resize-window -t live -x 50 -y 12; wait_for live 'too small' 5 && ok "tiny terminal shows 'terminal too small'" || bad "tiny resize" "$(screen live)"
tmuxq resize-window -t live -x 100 -y 30; wait_for live 'Hyperparameters' 5 && ok "resize back redraws the workbench" || bad "resize back" "$(screen live)"
tmuxq send-keys -t live '5'; wait_for live 'live +train .*running' 5 && ok "Runs tab lists the TUI's own run as running" || bad "runs tab running row" "$(screen live)"
tmuxq send-keys -t live q; restored live "quit with q" 0

start cc "$RUN"; wait_for cc RUNNING; tmuxq send-keys -t cc C-c; restored cc "Ctrl-C" 130
start term "$RUN"; wait_for term RUNNING
pid=$(pgrep -f -n -- "$tmp/tui-runs --data digits --epochs 400"); kill -TERM "$pid"; restored term "SIGTERM" 143
start crash "RETORT_ALLOW_CRASH=1 SWIFT_BACKTRACE=enable=no $RUN"; wait_for crash RUNNING
tmuxq send-keys -t crash ':' ; tmuxq send-keys -t crash -l '__crash'; tmuxq send-keys -t crash Enter
restored crash "crash (Swift trap)" 132

# Themes and colour fallbacks
printf 'name = "bad"\nfg = "#c0caf5"\nborder = "#12345"\n' > "$tmp/bad.toml"
start badtheme "$RUN --theme $tmp/bad.toml"
wait_for badtheme "default theme used: .*bad.toml:3: border: '#12345' is not a colour" 10 && ok "malformed theme: file, line and key named; default used" || bad "bad theme" "$(screen badtheme | tail -3)"
tmuxq send-keys -t badtheme ':' ; tmuxq send-keys -t badtheme -l 'theme light'; tmuxq send-keys -t badtheme Enter
wait_for badtheme 'theme light' 5 && ok ":theme light switches theme" || bad ":theme" "$(screen badtheme | tail -3)"
tmuxq send-keys -t badtheme q
start nocolor "NO_COLOR=1 $RUN"; wait_for nocolor RUNNING; sleep 0.5
if tmuxq capture-pane -p -e -t nocolor | grep -qE $'\e\\[[0-9;]*(3[0-7]|9[0-7]|38;5;[0-9]+)m'; then bad "NO_COLOR: colours still drawn"; else ok "NO_COLOR: no colours drawn"; fi
tmuxq send-keys -t nocolor q
start ascii "LC_ALL=C $RUN"; wait_for ascii RUNNING; sleep 1
if screen ascii | python3 -c 'import sys; sys.exit(0 if any(0x2500 <= ord(c) <= 0x28FF for c in sys.stdin.read()) else 1)'; then bad "LC_ALL=C: Unicode glyphs drawn" "$(screen ascii | head -5)"; else ok "LC_ALL=C: ASCII glyphs only"; fi
tmuxq send-keys -t ascii q

# Divergence guard: NaN loss pauses the run with the way out; r rolls back with lr ×0.1.
start div "$ABS_BIN --runs $tmp/tui-runs --data digits --test-count 300 --model mlp --lr 10 --warmup-epochs 0 --seed 1 --threads 1 --epochs 400 --name div"
wait_for div 'diverged at step [0-9]+: loss is NaN — press r to roll back to step 0 with lr ×0\.1 \(1\), or :rollback LR' 20 \
  && ok "TUI: divergence message with the rollback offer" || bad "TUI divergence message" "$(screen div | tail -3)"
screen div | head -1 | grep -q DIVERGED && ok "TUI: header says DIVERGED" || bad "TUI header" "$(screen div | head -1)"
dstep=$(screen div | head -1 | grep -oE 'step [0-9]+' | grep -oE '[0-9]+')
tmuxq send-keys -t div r
wait_for div 'rolled back to step-00000000\.ckpt, lr 10 → 1' 10 && ok "r rolls back to the last good checkpoint with lr ×0.1" || bad "rollback" "$(screen div | tail -3)"
cont=0; for i in $(seq 200); do h=$(screen div | head -1); s=$(grep -oE 'step [0-9]+' <<<"$h" | grep -oE '[0-9]+')
  grep -q RUNNING <<<"$h" && [ "${s:-0}" -gt "$((dstep + 10))" ] && { cont=1; break; }; sleep 0.1; done
[ "$cont" = 1 ] && ok "training continues after the rollback (diverged at step $dstep, now $s)" || bad "after rollback" "$(screen div | head -1)"
tmuxq send-keys -t div s
wait_for div 'saved .*/div/checkpoints/step-[0-9]{8}\.ckpt \([0-9]+ KiB\) and model\.safetensors' 10 && ok "s saves a checkpoint and names it" || bad "s save" "$(screen div | tail -2)"
tmuxq send-keys -t div q; restored div "quit after a rollback" 0
qstep=$(screen div | grep -oE 'stopped at step [0-9]+' | grep -oE '[0-9]+$'); qck=$(printf 'step-%08d.ckpt' "${qstep:-0}")
screen div | grep -qE "retort: checkpoint .*/div/checkpoints/$qck" && [ -s "$tmp/tui-runs/div/checkpoints/$qck" ] \
  && ok "quitting the TUI leaves a checkpoint of where it stopped ($qck)" || bad "checkpoint on quit" "$(screen div | grep -v "^ *$" | tail -4)"
start resumetui "$ABS_BIN resume $tmp/tui-runs/div --tui --paused"
wait_for resumetui 'resumed .*/div from step-[0-9]{8}\.ckpt at [0-9]+/400 epochs done, step [0-9]+, lr 1' 10 && wait_for resumetui 'PAUSED' 5 \
  && ok "retort resume --tui opens the run at its newest checkpoint" || bad "resume --tui" "$(screen resumetui | tail -3)"
tmuxq send-keys -t resumetui q; restored resumetui "quit the resumed TUI" 0

# Accelerator tab: the simulator steps cycle by cycle, jumps, and stops at breakpoints.
start acc "$RUN --paused"
wait_for acc 'PAUSED'
tmuxq send-keys -t acc 4
wait_for acc 'SA-General 64×64' 10 && ok "Accelerator tab shows the PE array" || bad "accelerator tab" "$(screen acc | head -8)"
wait_for acc 'cycle 0 / 58860' 5 && ok "DeiT-Tiny Taylor attention: 58860 cycles, cursor at 0" || bad "accelerator counters" "$(screen acc | grep cycle)"
tmuxq send-keys -t acc n n n; wait_for acc 'cycle 3 / 58860' 5 && ok "n steps one cycle at a time" || bad "accelerator step" "$(screen acc | grep 'cycle ')"
tmuxq send-keys -t acc ':'; tmuxq send-keys -t acc -l 'break q-g@H1'; tmuxq send-keys -t acc Enter
tmuxq send-keys -t acc ' '
wait_for acc 'breakpoint q-g@H1: q-g L0 H1 starts at cycle [0-9]+' 15 && ok "run stops at a stage breakpoint" || bad "breakpoint" "$(screen acc | tail -3)"
tmuxq send-keys -t acc t; wait_for acc 'attention = softmax: re-simulated, 136764 cycles' 10 && ok "t switches to the softmax baseline and re-simulates" || bad "softmax switch" "$(screen acc | tail -3)"
tmuxq send-keys -t acc q
tmuxq kill-server 2>/dev/null

# Distill tab: a NetDistiller run with live gradient-conflict statistics and live surgery edits.
start dst "$RUN --paused"
wait_for dst 'PAUSED'
tmuxq send-keys -t dst 2
wait_for dst 'Distill settings \(live\)' 15 && ok "Distill tab starts a NetDistiller run" || bad "distill tab" "$(screen dst | head -6)"
tmuxq send-keys -t dst ' '
wait_for dst 'conflicts: [0-9.]+% of steps' 30 && ok "Distill tab shows live gradient-conflict statistics" || bad "distill stats" "$(screen dst | sed -n 20,24p)"
# (a collapse warning of this short run would take the message line the edit is read from)
tmuxq send-keys -t dst ':'; tmuxq send-keys -t dst -l 'set collapse 100'; tmuxq send-keys -t dst Enter
tmuxq send-keys -t dst Right
wait_for dst 'surgery asym → drop \(from step' 10 && ok "surgery mode changed live from the panel" || bad "surgery edit" "$(screen dst | tail -3)"
tmuxq send-keys -t dst ':'; tmuxq send-keys -t dst -l 'set temperature -2'; tmuxq send-keys -t dst Enter
wait_for dst '! temperature' 10 && ok "a bad distillation temperature is refused" || bad "temperature check" "$(screen dst | tail -3)"
tmuxq send-keys -t dst q
tmuxq kill-server 2>/dev/null

# Distill tab: a divergence (test hook: a NaN weight before step 150, after the checkpoint
# at the first epoch end: the default session's MNIST-5k at batch 32 makes 125 steps an epoch)
# pauses the run and says DIVERGED; :rollback 0.01 runs it on.
start dstdiv "RETORT_TEST_NAN_AT_STEP=150 $ABS_BIN --runs $tmp/tui-div-runs --data digits --epochs 400 --paused"
wait_for dstdiv 'PAUSED'
tmuxq send-keys -t dstdiv 2
wait_for dstdiv 'Distill settings \(live\)' 15
tmuxq send-keys -t dstdiv ' '
wait_for dstdiv 'diverged at step 150: teacher loss is NaN — press r to roll back to step [0-9]+ with lr' 30 \
  && ok "Distill tab: divergence message with the rollback offer" || bad "distill divergence message" "$(screen dstdiv | tail -3)"
screen dstdiv | grep -q 'DIVERGED · step 150 ' && screen dstdiv | grep -q '1/60 epochs done' && ok "Distill tab says DIVERGED" || bad "distill DIVERGED" "$(screen dstdiv | grep -E 'epoch')"
tmuxq send-keys -t dstdiv ':'; tmuxq send-keys -t dstdiv -l 'rollback 0.01'; tmuxq send-keys -t dstdiv Enter
wait_for dstdiv 'rolled back to step-[0-9]{8}\.ckpt, lr 0\.05 → 0\.01' 10 && ok "Distill tab: :rollback 0.01 rolls back" || bad "distill rollback" "$(screen dstdiv | tail -3)"
wait_for dstdiv 'step (15[1-9]|1[6-9][0-9]|[2-9][0-9]{2}|[1-9][0-9]{3,}) ·' 30 && ! screen dstdiv | grep -q DIVERGED \
  && ok "Distill tab: the run goes on past step 150 after the rollback" || bad "distill after rollback" "$(screen dstdiv | grep -E 'step|DIVERGED')"
tmuxq send-keys -t dstdiv q; restored dstdiv "Distill tab: quit after a rollback" 0

# Attention tab: a queue of ViT runs (softmax, Taylor, Taylor-sparse) on the digits with live diagnostics and settings.
start att "$RUN --paused"
wait_for att 'PAUSED'
tmuxq send-keys -t att 3
wait_for att 'Attention settings \(live\)' 15 && ok "Attention tab starts a queue of ViT runs" || bad "attention tab" "$(screen att | head -8)"
screen att | grep -q 'not part of this build' && bad "attention tab still says the engine is missing" || ok "Attention tab no longer says the engine is missing"
tmuxq send-keys -t att ' '
wait_for att 'run 1 softmax, epoch [1-9]' 60 && ok "Attention tab shows Taylor-vs-softmax errors of the live run after an epoch" || bad "attention diagnostics" "$(screen att | sed -n 15,24p)"
tmuxq send-keys -t att ':'; tmuxq send-keys -t att -l 'set lr 0.001'; tmuxq send-keys -t att Enter
wait_for att 'lr 0\.002 → 0\.001 \(from step [0-9]+ of run 1\)' 10 && ok "':set lr 0.001' is applied by the running ViT" || bad "attention lr" "$(screen att | tail -3)"
tmuxq send-keys -t att ':'; tmuxq send-keys -t att -l 'set lr -1'; tmuxq send-keys -t att Enter
wait_for att '! lr: must be in \(0, 10\], got -1' 5 && ok "negative lr is refused in the Attention tab" || bad "attention negative lr" "$(screen att | tail -3)"
tmuxq send-keys -t att ':'; tmuxq send-keys -t att -l 'set kind taylor-repo'; tmuxq send-keys -t att Enter
wait_for att 'run 4 queued: taylor-repo' 10 && wait_for att '4 taylor-repo +queued' 5 && ok "':set kind taylor-repo' queues a fourth run" || bad "attention kind" "$(screen att | tail -3)"
sleep 0.5
grep -qE '^[0-9]+,[0-9]+,lr,0\.002,0\.001,' "$tmp"/tui-runs/*-vit-softmax-digits-s1-run1/hparams.csv 2>/dev/null && ok "attention lr change logged with its step in the run's hparams.csv" \
  || bad "attention hparams.csv" "$(cat "$tmp"/tui-runs/*-vit-softmax-digits-s1-run1/hparams.csv 2>&1)"
# s writes the running ViT through the one export: retort eval reads it (timm names, retort.* metadata)
tmuxq send-keys -t att s
wait_for att 'saved softmax \(run 1\) to ' 10 && ok "s in the Attention tab saves the running ViT" || bad "attention save" "$(screen att | tail -3)"
att_model=$(ls "$tmp"/tui-runs/*-vit-softmax-digits-s1-run1/model.safetensors 2>/dev/null | head -1)
expect "retort eval reads the Attention tab's save" 0 '^ViT \(.*softmax attention' -- "$BIN" eval --weights "${att_model:-missing.safetensors}" --threads 1
tmuxq send-keys -t att q; restored att "Attention tab: quit with q" 0

# Attention tab: a divergence (test hook: a NaN weight before step 60 of run 1, after its
# first checkpoint) pauses the queue with the offer and says DIVERGED; r rolls back with
# lr ×0.1 and the run goes on past the step that diverged.
start attdiv "RETORT_TEST_NAN_AT_STEP=60 $ABS_BIN --runs $tmp/tui-div-runs --data digits --epochs 400 --paused"
wait_for attdiv 'PAUSED'
tmuxq send-keys -t attdiv 3
wait_for attdiv 'Attention settings \(live\)' 15
tmuxq send-keys -t attdiv ' '
wait_for attdiv 'diverged at step 60 \(run 1, softmax\): loss is NaN — press r to roll back to step [0-9]+ with lr' 60 \
  && ok "Attention tab: divergence message with the rollback offer" || bad "attention divergence message" "$(screen attdiv | tail -3)"
screen attdiv | grep -q 'run 1/3: softmax · DIVERGED' && ok "Attention tab says DIVERGED" || bad "attention DIVERGED" "$(screen attdiv | grep 'run 1')"
tmuxq send-keys -t attdiv r
wait_for attdiv 'rolled back to step-[0-9]{8}\.ckpt, lr 0\.002 → 0\.0002' 10 && ok "Attention tab: r rolls back with lr ×0.1" || bad "attention rollback" "$(screen attdiv | tail -3)"
wait_for attdiv 'step (6[1-9]|[7-9][0-9]|[1-9][0-9]{2,}) ·' 60 && ! screen attdiv | grep -q DIVERGED \
  && ok "Attention tab: the run goes on past step 60 after the rollback" || bad "attention after rollback" "$(screen attdiv | grep -E 'step|DIVERGED')"
tmuxq send-keys -t attdiv q; restored attdiv "Attention tab: quit after a rollback" 0
# Distill and Attention tabs keep checkpoints: s writes one, quitting leaves one, and
# `retort resume RUN --tui` reopens the run on its tab (a few steps each, to stay fast).
joined() { tmuxq capture-pane -p -J -t "$1" 2>/dev/null; }   # wrapped lines joined (long paths)
CK="$tmp/ck"
start dck "$ABS_BIN --runs $CK --data digits --epochs 400 --paused"
wait_for dck 'PAUSED' 15; tmuxq send-keys -t dck 2
wait_for dck 'Distill settings \(live\)' 15
[ -z "$(ls -d "$CK"/*-distill-* 2>/dev/null)" ] && ok "opening the Distill tab creates no run folder before the run starts" \
  || bad "Distill folder before start" "$(ls "$CK")"
tmuxq send-keys -t dck n n n; wait_for dck 'step 3 · [0-9]+ samples/s' 10
tmuxq send-keys -t dck s
DRUN=$(ls -d "$CK"/*-distill-* 2>/dev/null | head -1)
wait_for dck 'saved .*/checkpoints/step-00000003\.ckpt' 10 && [ -s "$DRUN/checkpoints/step-00000003.ckpt" ] && [ -s "$DRUN/student.safetensors" ] \
  && ok "Distill tab: s writes a checkpoint and the student slice" || bad "Distill tab s" "$(screen dck | tail -2; ls "$DRUN" "$DRUN/checkpoints" 2>&1)"
tmuxq send-keys -t dck n n; wait_for dck 'step 5 · [0-9]+ samples/s' 10
tmuxq send-keys -t dck q; restored dck "Distill tab: quit with q" 0
joined dck | grep -qE "retort: distill stopped at step 5, 0/60 epochs done; run folder .*-distill-" && joined dck | grep -qE "retort: checkpoint .*-distill-.*/checkpoints/step-00000005\.ckpt" \
  && [ -s "$DRUN/checkpoints/step-00000005.ckpt" ] && ok "quitting leaves a checkpoint of the Distill run (step 5) and prints it" \
  || bad "Distill checkpoint on quit" "$(joined dck | grep retort:)"
start dres "$ABS_BIN resume $DRUN --tui --paused --lr 0.01"
tmuxq resize-window -t dres -x 200 -y 36
wait_for dres 'resumed .*-distill-[^ ]* from step-00000005\.ckpt at 0/60 epochs done, step 5, lr 0\.01' 15 && wait_for dres 'Distill settings \(live\)' 15 \
  && wait_for dres '^ retort .*PAUSED .*0/60 epochs  step 5' 5 \
  && ok "retort resume DISTILLRUN --tui opens the Distill tab at step 5, paused" || bad "distill resume --tui" "$(screen dres | head -1; screen dres | tail -2)"
screen dres | grep -qE '  lr +0\.01 ' && ok "--lr 0.01 with --tui is applied before the Distill TUI starts" || bad "resume --tui --lr" "$(screen dres | grep -E ' lr ')"
tmuxq send-keys -t dres n; wait_for dres '0/60 epochs  step 6 ' 10 && ok "the resumed Distill run steps on (step 6)" || bad "resumed distill step" "$(screen dres | head -1)"
tmuxq send-keys -t dres 1; wait_for dres 'no training run in this session' 5 && ok "Training tab of a distill resume says there is no training run" || bad "no training run line" "$(screen dres | sed -n 3,6p)"
tmuxq send-keys -t dres ' '; wait_for dres '! no training run in this session' 5 && ok "run keys on the empty Training tab are refused with a message" || bad "training keys without a run" "$(screen dres | tail -2)"
tmuxq send-keys -t dres q; restored dres "quit the resumed Distill TUI" 0
joined dres | grep -qE "retort: checkpoint .*-distill-.*/checkpoints/step-00000006\.ckpt" && ! joined dres | grep -q 'retort: stopped at' \
  && ok "quitting the resumed Distill TUI checkpoints step 6 (and no training run)" || bad "resumed distill quit" "$(joined dres | grep retort:)"

start ack "$ABS_BIN --runs $CK --data digits --epochs 400 --paused"
wait_for ack 'PAUSED' 15; tmuxq send-keys -t ack 3
wait_for ack 'Attention settings \(live\)' 15
tmuxq send-keys -t ack n n n; wait_for ack 'epoch 1/30 · step 3' 30
tmuxq send-keys -t ack s
wait_for ack 'saved softmax \(run 1\) to .*/checkpoints/step-00000003\.ckpt' 20
ARUN=$(ls -d "$CK"/*-vit-softmax-* 2>/dev/null | head -1)
[ -s "$ARUN/checkpoints/step-00000003.ckpt" ] && [ -s "$ARUN/model.safetensors" ] \
  && ok "Attention tab: s writes a checkpoint and model.safetensors in the run's folder" || bad "Attention tab s" "$(screen ack | tail -2; ls "$ARUN" "$ARUN/checkpoints" 2>&1)"
tmuxq send-keys -t ack n n; wait_for ack 'epoch 1/30 · step 5' 10
tmuxq send-keys -t ack q; restored ack "Attention tab: quit with q" 0
joined ack | grep -qE "retort: attention run 1 \(softmax\) stopped at epoch 0, step 5; run folder .*-vit-softmax-" \
  && joined ack | grep -qE "retort: checkpoint .*-vit-softmax-.*/checkpoints/step-00000005\.ckpt" && [ -s "$ARUN/checkpoints/step-00000005.ckpt" ] \
  && ok "quitting leaves a checkpoint of the running ViT run (step 5) and prints it" || bad "Attention checkpoint on quit" "$(joined ack | grep retort:)"
start ares "$ABS_BIN resume $ARUN --tui --paused"
tmuxq resize-window -t ares -x 200 -y 36
wait_for ares 'resumed .*-vit-softmax-[^ ]* from step-00000005\.ckpt at 0/30 epochs done, step 5' 20 && wait_for ares 'Attention settings \(live\)' 15 \
  && wait_for ares '^ retort .*PAUSED .*0/30 epochs  step 5' 5 \
  && ok "retort resume ATTENTIONRUN --tui opens the Attention tab at step 5, paused" || bad "attention resume --tui" "$(screen ares | head -1; screen ares | tail -2)"
screen ares | grep -qE '1 softmax +run' && ! screen ares | grep -qE '2 (softmax|taylor) ' && ok "the resumed queue holds just that run" || bad "resumed queue" "$(screen ares | grep -E '^.*[0-9] (softmax|taylor)')"
tmuxq send-keys -t ares ':'; tmuxq send-keys -t ares -l 'set kind taylor'; tmuxq send-keys -t ares Enter
wait_for ares 'run 2 queued: taylor \(after softmax\)' 10 && ok "':set kind taylor' queues a run after the resumed one" || bad "queue after resume" "$(screen ares | tail -2)"
tmuxq send-keys -t ares n; wait_for ares '0/30 epochs  step 6' 15 && ok "the resumed ViT run steps on (step 6)" || bad "resumed attention step" "$(screen ares | head -1)"
tmuxq send-keys -t ares q; restored ares "quit the resumed Attention TUI" 0
joined ares | grep -qE "retort: checkpoint .*-vit-softmax-.*/checkpoints/step-00000006\.ckpt" && [ -s "$ARUN/checkpoints/step-00000006.ckpt" ] \
  && ok "quitting the resumed Attention TUI checkpoints step 6" || bad "resumed attention quit" "$(joined ares | grep retort:)"
tmuxq kill-server 2>/dev/null

# Runs tab: past runs listed, one opened read-only, two overlaid, one deleted after y.
RR="$tmp/runs-tab"
"$BIN" train --data digits --model mlp --epochs 2 --runs "$RR" --name alpha --plain >/dev/null 2>&1 \
  && "$BIN" train --data digits --model mlp --epochs 1 --runs "$RR" --name beta --plain >/dev/null 2>&1 \
  && ok "two headless runs for the Runs tab" || bad "headless runs for the Runs tab"
start runs "$ABS_BIN --runs $RR --data digits --epochs 400 --name tui-live --paused"
wait_for runs 'PAUSED' 15
tmuxq send-keys -t runs '5'
if wait_for runs 'alpha +train .*finished' 5 && wait_for runs 'beta +train .*finished' 5 && wait_for runs 'tui-live +train .*running' 5; then
  ok "Runs tab lists both past runs (finished) and the live one (running)"; else bad "runs list" "$(screen runs | sed -n 3,8p)"; fi
tmuxq send-keys -t runs j Enter
wait_for runs 'Loss · (alpha|beta) \(read-only\)' 5 && wait_for runs 'config\.json' 2 && ok "Enter opens a past run read-only with its curves and config" || bad "open run" "$(screen runs | sed -n 3,6p)"
tmuxq send-keys -t runs Escape; wait_for runs 'Runs · 3 folders' 5
tmuxq send-keys -t runs Space Space; wait_for runs '2 marked' 5
tmuxq send-keys -t runs v
wait_for runs 'Test accuracy per run \(overlay of 2\)' 5 && wait_for runs '1 (alpha|beta)' 2 && wait_for runs '2 (alpha|beta)' 2 \
  && ok "v overlays the two marked runs with a legend" || bad "overlay" "$(screen runs | sed -n 3,8p)"
tmuxq send-keys -t runs Escape; wait_for runs 'Runs · 3 folders' 5
tmuxq send-keys -t runs Home x; wait_for runs 'tui-live is running: not deleted' 5 && ok "the running run cannot be deleted" || bad "delete running" "$(screen runs | tail -2)"
tmuxq send-keys -t runs End x
if wait_for runs 'delete (alpha|beta)\? y/n' 5; then
  victim=$(screen runs | grep -oE 'delete (alpha|beta)\? y/n' | head -1 | sed -E 's/delete (alpha|beta).*/\1/')
  tmuxq send-keys -t runs n; wait_for runs "kept $victim" 5
  [ -d "$RR/$victim" ] && ok "n keeps $victim" || bad "n deleted $victim"
  tmuxq send-keys -t runs x; wait_for runs "delete $victim\\? y/n" 5; tmuxq send-keys -t runs y
  wait_for runs "deleted $victim" 5 && [ ! -e "$RR/$victim" ] && ok "x then y deletes the run folder ($victim)" || bad "delete $victim" "$(screen runs | tail -2)"
  wait_for runs 'Runs · 2 folders' 5 && ok "the list drops the deleted run" || bad "list after delete" "$(screen runs | sed -n 3,6p)"
else bad "x asks before deleting" "$(screen runs | tail -2)"; fi
tmuxq send-keys -t runs q; restored runs "Runs tab: quit with q" 0
tmuxq kill-server 2>/dev/null
