# A real Slurm (Debian's slurm-wlm and munge on this machine, started by
# scripts/slurm/start-local.sh and stopped on exit): a study submitted with `retort sweep
# --slurm` as one job array, each task one point's run folder; every task finishes with a
# complete run folder; one task is requeued mid-run (scontrol requeue, released at once) and
# its point resumes from its checkpoint; `sweep status` and `sweep collect` read the result.
SL_BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
SL_DATA=$(pwd)/sample-data
sl="$tmp/slurm"; mkdir -p "$sl/logs"
SL_STATE=/var/spool/retort-slurm
SL_EPOCHS=60; SL_TASKS=3
# stop the daemons this case started (not a cluster that was already running), also when the
# suite is interrupted: prepended to run.sh's EXIT trap, which is restored afterwards
sl_prev_trap=$(trap -p EXIT)
sl_started=1
[ -s "$SL_STATE/slurmctld.pid" ] && [ "$(cat "/proc/$(cat "$SL_STATE/slurmctld.pid")/comm" 2>/dev/null)" = slurmctld ] && sl_started=0
sl_cleanup() {
  local j; for j in ${sl_job:-}; do scancel "$j" 2>/dev/null; done
  [ "$sl_started" = 1 ] && scripts/slurm/stop-local.sh
}
if [ -n "$sl_prev_trap" ]; then eval "${sl_prev_trap/trap -- \'/trap -- \'sl_cleanup; }"; else trap sl_cleanup EXIT; fi

sl_cases() {
sinfo -h -o '%P %a %t' 2>/dev/null | grep -q '^debug\* up idle' && ok "sinfo: partition debug up, node idle" || bad "sinfo" "$(sinfo 2>&1)"
addrs=$(ss -Hltn '( sport = :6817 or sport = :6818 )' | awk '{print $4}' | sort -u | tr '\n' ' ')
grep -qvE '^(127\.[0-9.]+:681[78] )+$' <<<"$addrs" && bad "Slurm ports bound beyond this host: $addrs" || ok "slurmctld and slurmd listen on this host only ($addrs)"

# a study of 3 points (one condition × 3 seeds) submitted by `retort sweep --slurm` as one job
# array: task K runs `retort sweep run STUDY --task K` on the shared study folder; a requeued
# task resumes its point from the newest checkpoint
cat >"$sl/study.yaml" <<YAML
name: slurm-e2e
command: train
options: {data: digits, model: cnn, epochs: $SL_EPOCHS, test-count: 300, checkpoint-every: 20}
seeds: [1, 2, 3]
YAML
slr="$sl/studies"; sls="$slr/slurm-e2e"
expect "sweep --slurm --dry-run prints the batch script" 0 'sweep run .*study.yaml --task "\$SLURM_ARRAY_TASK_ID" --chunk 1 --root ' -- "$SL_BIN" sweep "$sl/study.yaml" --root "$slr" --slurm --dry-run --time 10
out=$(RETORT_DATA="$SL_DATA" "$SL_BIN" sweep "$sl/study.yaml" --root "$slr" --slurm --cpus-per-task 1 --time 0-00:10:00 2>&1)
sl_job=$(sed -n 's/.*submitted Slurm job \([0-9]*\), 3 array tasks.*/\1/p' <<<"$out")
[[ "$sl_job" =~ ^[0-9]+$ ]] && ok "sweep --slurm: job array $sl_job of $SL_TASKS tasks" || bad "sweep --slurm" "$out"
sl_job=${sl_job//[^0-9]/}

# requeue task 0 once it has a checkpoint and is still training
sl_step() { sed -n 's/^step-0*\([0-9]*\)\.ckpt$/\1/p' "$sls/runs/p000/checkpoints/latest" 2>/dev/null; }
for _ in $(seq 600); do [ "$(sl_step)" -ge 200 ] 2>/dev/null && break; sleep 0.1; done
sl_lines=$(wc -l <"$sls/runs/p000/metrics.csv" 2>/dev/null || echo 0)
if [ "$(sl_step)" -ge 200 ] 2>/dev/null && [ "$sl_lines" -le "$SL_EPOCHS" ] && scontrol requeue "${sl_job}_0" 2>&1; then
  ok "task 0 requeued mid-run (checkpoint at step $(sl_step), $((sl_lines - 1)) of $SL_EPOCHS epochs logged)"
else bad "task 0 not requeued mid-run (latest step '$(sl_step)', $sl_lines metrics lines)" "$(squeue 2>&1)"; fi
# the cancelled attempt passes through COMPLETING; then the task waits, held until a BeginTime
sl_show() { scontrol show job -o "${sl_job}_0" 2>&1; }
for _ in $(seq 150); do grep -q 'JobState=PENDING' <<<"$(sl_show)" && break; sleep 0.2; done
grep -q 'JobState=PENDING Reason=BeginTime .*Restarts=1 ' <<<"$(sl_show)" && ok "requeued task 0 pending (BeginTime), Restarts=1" \
  || bad "requeued task state" "$(grep -o 'JobState=[^ ]* Reason=[^ ]*\|Restarts=[0-9]*' <<<"$(sl_show)")"
# Slurm holds a requeued task ~2 minutes; 22.05 takes StartTime=now (not BeginTime=now) to release it
scontrol update JobId="${sl_job}_0" StartTime=now
for _ in $(seq 50); do grep -q 'Reason=BeginTime' <<<"$(sl_show)" || break; sleep 0.2; done
grep -q 'Reason=BeginTime' <<<"$(sl_show)" && bad "requeued task still held after StartTime=now" "$(sl_show | grep -o 'JobState=[^ ]* Reason=[^ ]*')" \
  || ok "requeued task released at once (StartTime=now): $(sl_show | grep -o 'JobState=[^ ]* Reason=[^ ]*')"

# wait (bounded) for the array to leave the queue
for _ in $(seq 900); do [ -z "$(squeue -h -j "$sl_job" -o %i 2>/dev/null)" ] && break; sleep 0.2; done
[ -z "$(squeue -h -j "$sl_job" -o %i 2>/dev/null)" ] && ok "array $sl_job left the queue" || bad "array still queued after 180 s" "$(squeue 2>&1)"

# every task COMPLETED (last jobcomp record per task) with a complete run folder
comp=$(scontrol show config | sed -n 's/^JobCompLoc *= *//p')
for t in $(seq 0 $((SL_TASKS - 1))); do
  st=$(grep " ArrayJobId=$sl_job ArrayTaskId=$t " "$comp" | tail -1 | grep -o 'JobState=[A-Z_]*')
  run="$sls/runs/p00$t"
  last_step=$(sed -n 's/^step-0*\([0-9]*\)\.ckpt$/\1/p' "$run/checkpoints/latest" 2>/dev/null)
  if [ "$st" = JobState=COMPLETED ] && [ "$(wc -l <"$run/metrics.csv")" = $((SL_EPOCHS + 1)) ] \
     && [ "$(tail -1 "$run/metrics.csv" | cut -d, -f2)" = "$SL_EPOCHS" ] && [ -f "$run/checkpoints/step-$(printf %08d "$last_step").ckpt" ]; then
    ok "task $t: COMPLETED; run folder has $SL_EPOCHS epochs of metrics and its final checkpoint (step $last_step)"
  else bad "task $t: $st" "$(ls "$run" 2>&1; tail -2 "$run/metrics.csv" 2>&1; tail -3 "$sls/logs/slurm-${sl_job}_$t.txt" 2>&1)"; fi
done
sl_states0=$(grep " ArrayJobId=$sl_job ArrayTaskId=0 " "$comp" | grep -o 'JobState=[A-Z_]*' | tr '\n' ' ')
[ "$sl_states0" = "JobState=PENDING JobState=COMPLETED " ] \
  && ok "completion log: task 0's first attempt recorded as requeued (PENDING), then COMPLETED" \
  || bad "completion log for task 0: $sl_states0"

# task 0's Slurm log: cancelled for the requeue, then run again; its point resumed from a
# checkpoint past step 0 (the point's own log has the child's output)
log0="$sls/logs/slurm-${sl_job}_0.txt"
if grep -q "CANCELLED AT .* DUE TO JOB REQUEUE" "$log0" && [ "$(grep -c '^study slurm-e2e: task 0, points p000' "$log0")" = 2 ] \
   && grep -qE "^resumed .*/p000 from step-0*[1-9][0-9]*\.ckpt at [1-9][0-9]*/$SL_EPOCHS epochs done" "$sls/logs/p000.txt"; then
  ok "task 0 resumed its point from the checkpoint: $(grep -oE 'from step-[0-9]+\.ckpt at [0-9]+/[0-9]+ epochs done' "$sls/logs/p000.txt")"
else bad "task 0 did not resume from its checkpoint" "$(cat "$log0"; tail -5 "$sls/logs/p000.txt")"; fi
for t in $(seq 1 $((SL_TASKS - 1))); do
  grep -q '^resumed' "$sls/logs/p00$t.txt" && bad "task $t resumed though it was never requeued" || ok "task $t ran once, straight through"
done
# status merges the queue and the completion log with the manifest; collect gives the tables
sl_status=$("$SL_BIN" sweep status "$sl/study.yaml" --root "$slr" 2>&1)
grep -q '^3 points: 3 finished' <<<"$sl_status" && [ "$(grep -cE '^  task [0-2] \(points [0-2]…[0-2]\): finished' <<<"$sl_status")" = 3 ] \
  && ok "sweep status: every point finished; the queue and completion log say every array task finished" || bad "sweep status" "$sl_status"
expect "sweep collect: the study's tables" 0 'collected 3 of 3 points' -- "$SL_BIN" sweep collect "$sl/study.yaml" --root "$slr" --out "$sl/tables"
}

if out=$(scripts/slurm/start-local.sh 2>&1); then
  ok "local Slurm up: $(tail -1 <<<"$out" | sed 's/^start-local: //')"
  sl_cases
else bad "start-local.sh failed (the other Slurm checks need the cluster)" "$out"; fi
sl_pids=$(cat "$SL_STATE"/{munged,slurmctld,slurmd}.pid 2>/dev/null | tr '\n' ' ')
sl_cleanup; sl_job=
if [ -n "$sl_prev_trap" ]; then eval "$sl_prev_trap"; else trap - EXIT; fi
if [ "$sl_started" = 1 ]; then
  sl_left=; for p in $sl_pids; do [ -d "/proc/$p" ] && sl_left="$sl_left $p"; done
  [ -n "$sl_pids" ] && [ -z "$sl_left" ] && ok "stop-local.sh stopped the daemons it started (pids $sl_pids)" \
    || bad "daemons after stop-local.sh: recorded '$sl_pids', still running '$sl_left'"
fi
