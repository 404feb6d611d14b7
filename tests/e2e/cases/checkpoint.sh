# Checkpoints, resume and the divergence guard: a resumed run equals an uninterrupted one;
# SIGKILL mid-run and mid-checkpoint-write lose at most one interval; corrupt checkpoints
# are refused; an unwritable checkpoints folder is one line; NaNs stop the run (exit 3) —
# in `retort train`, `retort distill` and `retort attention train` alike.
ck="$tmp/ck"
CK_RUN=(--data digits --model cnn --epochs 30 --test-count 300 --seed 4 --threads 1 --checkpoint-every 7 --runs "$ck" --plain)
# the metric columns (not seconds, samples/s) and every logged step
metric_cols() { cut -d, -f1-7 "$1/metrics.csv"; cat "$1/steps.csv" "$1/hparams.csv" 2>/dev/null; }
same_metrics() { # NAME FOLDER
  if cmp -s <(metric_cols "$ck/full") <(metric_cols "$2"); then ok "$1: metrics equal the uninterrupted run's ($(wc -l <"$2/metrics.csv") metrics.csv lines)"
  else bad "$1: metrics differ from the uninterrupted run" "$(diff <(metric_cols "$ck/full") <(metric_cols "$2") | head -5)"; fi
}
"$BIN" train "${CK_RUN[@]}" --name full >/dev/null 2>&1
ls "$ck/full/checkpoints" | grep -q '^step-00000720.ckpt$' && ok "checkpoints written up to the last step (720)" || bad "checkpoints" "$(ls "$ck/full/checkpoints")"
[ "$(ls "$ck/full/checkpoints" | grep -c '\.ckpt$')" = 3 ] && [ "$(cat "$ck/full/checkpoints/latest")" = step-00000720.ckpt ] \
  && ok "three kept by default, latest points at the newest" || bad "keep/latest" "$(ls "$ck/full/checkpoints"; cat "$ck/full/checkpoints/latest")"

# SIGKILL during training: resume continues and ends with the same metrics
"$BIN" train "${CK_RUN[@]}" --name kill9 >/dev/null 2>&1 & pid=$!
for i in $(seq 600); do s=$(sed -n 's/^step-0*\([0-9]*\)\.ckpt$/\1/p' "$ck/kill9/checkpoints/latest" 2>/dev/null); [ "${s:-0}" -ge 100 ] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rc=$?
if [ "$rc" = 137 ] && [ "$(wc -l <"$ck/kill9/metrics.csv")" -lt 31 ]; then ok "SIGKILL mid-run (exit 137 after $(($(wc -l <"$ck/kill9/metrics.csv") - 1)) of 30 epochs)"; else bad "SIGKILL mid-run: exit $rc, $(wc -l <"$ck/kill9/metrics.csv") metrics lines"; fi
expect "resume after SIGKILL" 0 '^resumed .*/kill9 from step-[0-9]{8}\.ckpt at [0-9]+/30 epochs done, step [0-9]+, lr 0\.1$' -- "$BIN" resume "$ck/kill9" --plain
same_metrics "SIGKILL mid-run, then resume" "$ck/kill9"

# SIGKILL inside a checkpoint write (test hook: the 5th write kills the process after the
# temporary file is complete, before the rename): the folder opens at the previous checkpoint
{ RETORT_TEST_KILL_IN_CHECKPOINT=5 "$BIN" train "${CK_RUN[@]}" --name killw >/dev/null 2>&1; } 2>/dev/null; rc=$?
tmpf=$(ls -A "$ck/killw/checkpoints" | grep -c '^\.step-00000024\.ckpt\.tmp-')
[ "$rc" = 137 ] && [ "$tmpf" = 1 ] && [ "$(cat "$ck/killw/checkpoints/latest")" = step-00000021.ckpt ] \
  && ok "killed mid-write: temporary file left, latest still step 21" || bad "kill in checkpoint write: exit $rc" "$(ls -A "$ck/killw/checkpoints")"
expect "resume after a kill mid-write ignores and removes the temporary file" 0 \
  'removed \.step-00000024\.ckpt\.tmp-[0-9]+, left by an interrupted checkpoint write' -- "$BIN" resume "$ck/killw" --plain
ls -A "$ck/killw/checkpoints" | grep -q '\.tmp-' && bad "temporary file still there" || ok "no temporary file left"
same_metrics "kill mid-write, then resume" "$ck/killw"

# a corrupt newest checkpoint is refused with one line naming it; the one before is used
{ RETORT_TEST_KILL_IN_CHECKPOINT=9 "$BIN" train "${CK_RUN[@]}" --name corrupt >/dev/null 2>&1; } 2>/dev/null
truncate -s -1000 "$ck/corrupt/checkpoints/step-00000042.ckpt"
expect "truncated checkpoint refused with one line naming it" 0 \
  'skipped .*/step-00000042\.ckpt: checksum mismatch .*renamed it to step-00000042\.ckpt\.corrupt' -- "$BIN" resume "$ck/corrupt" --plain
same_metrics "resume past a truncated checkpoint" "$ck/corrupt"

expect "resume: no such folder" 2 'nowhere: no such run folder' -- "$BIN" resume "$tmp/nowhere"
mkdir -p "$ck/empty"
expect "resume: folder without checkpoints" 2 'empty/checkpoints: no usable checkpoint' -- "$BIN" resume "$ck/empty"

# checkpoints that cannot be written (here: a 64 KiB file-size limit, below a checkpoint's
# size and above the metrics files'; a new run never reuses a folder, so nothing can be put in
# its way beforehand): one line each, training unharmed
out=$(trap '' XFSZ; ulimit -f 64; "$BIN" train --data digits --model mlp --epochs 2 --test-count 300 --seed 3 --threads 1 --runs "$ck" --name ro --plain 2>&1); rc=$?
n=$(grep -c '^retort: checkpoint not written: .*/ro/checkpoints/step-[0-9]*\.ckpt: write failed (File too large)$' <<<"$out")
[ "$rc" = 0 ] && [ "$n" = 3 ] && [ "$(wc -l <"$ck/ro/metrics.csv")" = 3 ] && [ -z "$(ls -A "$ck/ro/checkpoints")" ] && ok "unwritable checkpoints: one line per checkpoint (3), training completes" \
  || bad "unwritable checkpoints: exit $rc, $n lines" "$out"

# divergence: NaN loss stops the run with exit 3, no NaN in any checkpoint, resume with a lower lr
DV=(--data digits --model mlp --epochs 3 --lr 10 --warmup-epochs 0 --test-count 300 --seed 1 --threads 1 --runs "$ck" --plain)
expect "NaN loss stops training (exit 3) naming the step, last good checkpoint and the way on" 3 \
  'retort: diverged at step [0-9]+: loss is NaN; last good checkpoint .*/div/checkpoints/step-00000000\.ckpt \(step 0\); continue with a lower lr: retort resume .*/div --lr 1$' \
  -- "$BIN" train "${DV[@]}" --name div
grep -q '"kind":"event","step":[0-9]*,"epoch":0,"name":"diverged".*"note":"loss is NaN"' "$ck/div/metrics.jsonl" && ok "diverged event in metrics.jsonl" || bad "diverged event" "$(tail -2 "$ck/div/metrics.jsonl")"
finite_ckpts() { # FOLDER: every tensor of every checkpoint in FOLDER/checkpoints is finite
python3 - "$1/checkpoints" <<'PY'
import json, math, os, struct, sys
d = sys.argv[1]; files = [f for f in os.listdir(d) if f.endswith(".ckpt")]
assert files
for f in files:
    b = open(os.path.join(d, f), "rb").read(); n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n]); h.pop("__metadata__")
    for name, e in h.items():
        a, z = e["data_offsets"]
        assert all(math.isfinite(v) for v in struct.unpack("<%df" % ((z - a) // 4), b[8 + n + a:8 + n + z])), (f, name)
PY
}
finite_ckpts "$ck/div" && ok "no checkpoint holds NaN or Inf" || bad "checkpoint with NaN/Inf"
expect "resume with the suggested lr finishes" 0 '^resumed .*/div from step-00000000\.ckpt at 0/3 epochs done, step 0, lr 1$' -- "$BIN" resume "$ck/div" --lr 1 --plain
grep -q '^0,0,lr,10,1,' "$ck/div/hparams.csv" && ok "the new lr is logged in hparams.csv" || bad "hparams after resume" "$(cat "$ck/div/hparams.csv")"

# distill runs: SIGKILL after the first checkpoint (test hook: killed inside a later
# checkpoint write), `retort resume` continues headless to the configured epochs and the
# metrics equal an uninterrupted run's (metrics.csv without seconds, samples_per_second)
DK=(--data digits --epochs 4 --threads 1 --seed 2 --set-at 25:tau=0.1 --runs "$ck" --plain)
dist_cols() { cut -d, -f1-17,20- "$1/metrics.csv"; cat "$1/steps.csv" "$1/tensor_cosines.csv" "$1/tensor_conflicts.csv" "$1/hparams.csv" 2>/dev/null; }
"$BIN" distill "${DK[@]}" --name dfull >/dev/null 2>&1
[ "$(cat "$ck/dfull/checkpoints/latest" 2>/dev/null)" = step-00000152.ckpt ] && ok "distill: checkpoint at every epoch end, latest step 152" \
  || bad "distill checkpoints" "$(ls "$ck/dfull/checkpoints" 2>&1)"
# (write 1 is the checkpoint before the first step; resuming from it replays --set-at 25:tau=0.1)
for spec in "2:step-00000000:0/4 epochs done, step 0" "3:step-00000038:1/4 epochs done, step 38" "5 --checkpoint-every 10:step-00000030:0/4 epochs done, step 30"; do
  IFS=: read -r kill latest at <<<"$spec"; n=${kill%% *}; extra=${kill#"$n"}
  { RETORT_TEST_KILL_IN_CHECKPOINT=$n "$BIN" distill "${DK[@]}" $extra --name "dkill$n" >/dev/null 2>&1; } 2>/dev/null; rc=$?
  [ "$rc" = 137 ] && [ "$(cat "$ck/dkill$n/checkpoints/latest")" = "$latest.ckpt" ] && [ "$(wc -l <"$ck/dkill$n/metrics.csv")" -lt 5 ] \
    && ok "distill SIGKILLed in checkpoint write $n (latest $latest)" || bad "distill kill $n: exit $rc" "$(ls -A "$ck/dkill$n/checkpoints")"
  expect "distill: resume after SIGKILL ($latest)" 0 "^resumed .*/dkill$n from $latest\\.ckpt at ${at//./\\.}, lr 0\\.02\$" -- "$BIN" resume "$ck/dkill$n" --plain
  if cmp -s <(dist_cols "$ck/dfull") <(dist_cols "$ck/dkill$n"); then ok "distill: resumed metrics equal the uninterrupted run's ($(wc -l <"$ck/dkill$n/metrics.csv") metrics.csv lines)"
  else bad "distill: resumed metrics differ ($latest)" "$(diff <(dist_cols "$ck/dfull") <(dist_cols "$ck/dkill$n") | head -5)"; fi
done
expect "distill: the final lines give the student's best, largest drop and collapse verdict" 0 \
  '^student best [0-9.]+% at epoch [0-9]+, final [0-9.]+% .*largest drop [0-9.]+ points .*(no collapse \(threshold 5 points\)|COLLAPSE)' -- \
  "$BIN" distill --data digits --epochs 2 --threads 1 --collapse-drop 5 --runs "$ck" --name dverdict --plain
grep -q '"calibrated"' "$ck/dverdict/config.json" && head -1 "$ck/dverdict/metrics.csv" | grep -q 'dead_unit_fraction,kd_grad_share,.*calibration_temperature,teacher_holdout_acc' \
  && ok "distill: config.json records the calibrated weighting; metrics.csv has the diagnostics columns" || bad "distill diagnostics" "$(head -1 "$ck/dverdict/metrics.csv")"
expect "distill: resume of a finished run" 0 'already finished \(4 epochs, step 152\)' -- "$BIN" resume "$ck/dfull"
before=$(cat "$ck/dkill2/metrics.jsonl" "$ck/dkill2/metrics.csv" | md5sum)
expect "resume --tui without a terminal is refused before the run folder is touched" 2 'needs an interactive terminal' -- "$BIN" resume "$ck/dkill2" --tui
[ "$(cat "$ck/dkill2/metrics.jsonl" "$ck/dkill2/metrics.csv" | md5sum)" = "$before" ] && ok "… and its metrics are unchanged (no cut, no resumed event)" \
  || bad "resume --tui without a terminal changed the run folder"

# attention runs: `retort attention train` checkpoints every run at each epoch end; SIGKILLed
# inside its third checkpoint write (test hook; the first is before step 1), `retort resume RUN` continues that run
# folder headless and its metrics equal an uninterrupted run's (timing columns removed)
AK=(attention train --data digits --kinds taylor-sparse --seeds 3 --epochs 3 --width 16 --depth 2 --heads 2 --test-count 300 --threads 1 --no-tensorboard)
att_cols() { # FOLDER: metrics.csv without seconds and samples_per_second, then steps.csv and hparams.csv
  awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="seconds"||$i=="samples_per_second") d[i]=1}
           {s="";for(i=1;i<=NF;i++) if(!(i in d)) s=s $i ","; print s}' "$1/metrics.csv"
  cat "$1/steps.csv" "$1/hparams.csv" 2>/dev/null
}
"$BIN" "${AK[@]}" --runs "$ck/afull" >/dev/null 2>&1
afull=$(ls -d "$ck/afull"/*-vit-taylor-sparse-digits-s3 2>/dev/null | head -1)
[ -n "$afull" ] && [ "$(cat "$afull/checkpoints/latest" 2>/dev/null)" = step-00000141.ckpt ] && ok "attention: checkpoint at every epoch end, latest step 141" \
  || bad "attention checkpoints" "$(ls -R "$ck/afull" 2>&1 | head -20)"
{ RETORT_TEST_KILL_IN_CHECKPOINT=3 "$BIN" "${AK[@]}" --runs "$ck/akill" >/dev/null 2>&1; } 2>/dev/null; rc=$?
akill=$(ls -d "$ck/akill"/*-vit-taylor-sparse-digits-s3 2>/dev/null | head -1)
[ "$rc" = 137 ] && [ -n "$akill" ] && [ "$(cat "$akill/checkpoints/latest")" = step-00000047.ckpt ] \
  && ok "attention: SIGKILLed in checkpoint write 3 (latest step-00000047)" || bad "attention kill: exit $rc" "$(ls -A "$akill/checkpoints" 2>&1)"
expect "attention: resume after SIGKILL continues the run to its 3 epochs" 0 \
  "resumed .*-vit-taylor-sparse-digits-s3 from step-00000047\\.ckpt at 1/3 epochs done, step 47, lr .*taylor-sparse seed 3 epoch   3/3.*taylor-sparse seed 3: test accuracy " \
  -- bash -c "\"$BIN\" resume \"$akill\" | tr '\\n' ' '"
if [ -n "$akill" ] && cmp -s <(att_cols "$afull") <(att_cols "$akill"); then ok "attention: resumed metrics equal the uninterrupted run's ($(wc -l <"$akill/metrics.csv") metrics.csv lines)"
else bad "attention: resumed metrics differ" "$(diff <(att_cols "$afull") <(att_cols "$akill") 2>&1 | head -5)"; fi
asum=$(ls "$ck/akill"/*-vit-compare-digits/summary.csv 2>/dev/null | head -1)
[ -n "$asum" ] && [ "$(grep -c "^taylor-sparse,3,.*,$(basename "$akill")\$" "$asum")" = 1 ] && [ "$(wc -l <"$asum")" = 2 ] \
  && ok "attention: the resumed run's row is written to its session's summary.csv" || bad "attention summary after resume" "$(cat "$asum" 2>&1)"

# divergence in a distill run (lr 10 from step 40, after the checkpoint at step 38): exit 3
# with the one line, no NaN in any checkpoint; resume with a lower lr finishes the run. The
# same through the workbench adapter (as the TUI drives it).
# (entropy weights: with the calibrated ones every unit dies at lr 10 before any value overflows)
DD=(distill --data digits --hidden 32,32 --epochs 3 --threads 1 --seed 2 --uncertainty entropy --set-at 40:lr=10 --runs "$ck" --plain)
for wb in "" --workbench; do
  expect "distill${wb:+ $wb}: NaN stops the run (exit 3) naming the step, last good checkpoint and the way on" 3 \
    "^retort: diverged at step [0-9]+: teacher loss is NaN; last good checkpoint .*/ddiv$wb/checkpoints/step-00000038\\.ckpt \\(step 38\\); continue with a lower lr: retort resume .*/ddiv$wb --lr 1\$" \
    -- "$BIN" "${DD[@]}" $wb --name "ddiv$wb"
done
grep -q '"kind":"event","step":[0-9]*,"epoch":1,"name":"diverged".*"note":"teacher loss is NaN"' "$ck/ddiv/metrics.jsonl" \
  && ok "distill: diverged event in metrics.jsonl" || bad "distill diverged event" "$(tail -2 "$ck/ddiv/metrics.jsonl")"
finite_ckpts "$ck/ddiv" && ok "distill: no checkpoint holds NaN or Inf" || bad "distill: checkpoint with NaN/Inf"
out=$("$BIN" resume "$ck/ddiv" --lr 0.02 --plain 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -qE '^retort: --lr 0\.02 replaces the scheduled change --set-at 40:lr=10$' <<<"$out" \
   && grep -qE '^resumed .*/ddiv from step-00000038\.ckpt at 1/3 epochs done, step 38, lr 0\.02$' <<<"$out"; then
  ok "distill: resume --lr 0.02 says it replaces the pending --set-at 40:lr=10, and finishes the run"
else bad "distill: resume with a lower lr (exit $rc)" "$out"; fi
[ "$(wc -l <"$ck/ddiv/metrics.csv")" = 4 ] && [ "$(cat "$ck/ddiv/checkpoints/latest")" = step-00000114.ckpt ] \
  && ok "distill: the resumed run finished its 3 epochs" || bad "distill resume after divergence" "$(cat "$ck/ddiv/metrics.csv")"

# divergence in an attention queue (test hook: a NaN weight before step 60 of the first run,
# after its checkpoint at step 47): exit 3 naming the run, the queued softmax run is not
# started; resume with a lower lr finishes the run
AD=(attention train --data digits --kinds taylor,softmax --seeds 3 --epochs 3 --width 16 --depth 2 --heads 2 --test-count 300 --threads 1 --no-tensorboard --runs "$ck/adiv")
expect "attention: NaN stops the queue (exit 3) naming the run, step, checkpoint and the way on" 3 \
  '^retort: diverged at step 60 \(taylor seed 3\): loss is NaN; last good checkpoint .*-vit-taylor-digits-s3/checkpoints/step-00000047\.ckpt \(step 47\); continue with a lower lr: retort resume .*-vit-taylor-digits-s3 --lr 0\.0002$' \
  -- env RETORT_TEST_NAN_AT_STEP=60 "$BIN" "${AD[@]}"
# (more than one kind: the session folder is a study folder, each run in its runs/pNNN/)
[ -n "$(find "$ck/adiv" -maxdepth 4 -name '*-vit-softmax-*' 2>/dev/null)" ] && bad "attention: the queued softmax run started after the divergence" || ok "attention: the queued run is not started"
adiv=$(ls -d "$ck/adiv"/*-vit-compare-digits/runs/p000/*-vit-taylor-digits-s3 2>/dev/null | head -1)
[ -n "$adiv" ] && finite_ckpts "$adiv" && ok "attention: no checkpoint holds NaN or Inf" || bad "attention: checkpoint with NaN/Inf" "$adiv"
expect "attention: resume with a lower lr finishes the run" 0 \
  "resumed .*-vit-taylor-digits-s3 from step-00000047\\.ckpt at 1/3 epochs done, step 47, lr 0\\.0002 .*taylor seed 3 epoch   3/3.*taylor seed 3: test accuracy " \
  -- bash -c "\"$BIN\" resume \"$adiv\" --lr 0.0002 | tr '\\n' ' '"

# one writer per run folder: resuming a run another process is writing is refused with one
# line naming its pid and nothing in the folder changes; once that process is gone it resumes
LK=(train --data digits --model mlp --epochs 40 --test-count 300 --seed 2 --threads 1 --runs "$ck" --plain)
"$BIN" "${LK[@]}" --name locked >/dev/null 2>&1 & lpid=$!
for i in $(seq 600); do [ -e "$ck/locked/checkpoints/latest" ] && break; sleep 0.05; done
expect "resume of a run another process is writing is refused" 2 \
  "^retort: .*/locked: in use by another retort process \\(pid $lpid\\); wait for it to end or stop it first\$" -- "$BIN" resume "$ck/locked" --plain
kill -9 "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
expect "after that process ends, the same resume goes on" 0 '^resumed .*/locked from step-' -- "$BIN" resume "$ck/locked" --plain
