# A real Slurm (Debian's slurm-wlm and munge on this machine, started by
# scripts/slurm/start-local.sh and stopped on exit): a job array of training runs, each task
# one run folder; every task finishes with a complete run folder; one task is requeued mid-run
# (scontrol requeue, released at once) and resumes from its checkpoint.
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

# one task = one run folder; a requeued task resumes its folder from the newest checkpoint
cat >"$sl/array.sbatch" <<SBATCH
#!/bin/bash
#SBATCH --array=0-$((SL_TASKS - 1))
#SBATCH --job-name=retort-e2e
#SBATCH --cpus-per-task=1
#SBATCH --time=0-00:10:00
#SBATCH --output=$sl/logs/slurm-%A_%a.txt
#SBATCH --requeue
#SBATCH --open-mode=append
run=$sl/runs/task-\$SLURM_ARRAY_TASK_ID
echo "task \$SLURM_ARRAY_TASK_ID restart \${SLURM_RESTART_COUNT:-0} cpus \$SLURM_CPUS_PER_TASK"
if [ -s "\$run/checkpoints/latest" ]; then exec $SL_BIN resume "\$run" --plain; fi
exec $SL_BIN train --data digits --data-dir $SL_DATA --model cnn --epochs $SL_EPOCHS --test-count 300 \\
  --seed \$((SLURM_ARRAY_TASK_ID + 1)) --threads "\$SLURM_CPUS_PER_TASK" --checkpoint-every 20 \\
  --runs $sl/runs --name task-\$SLURM_ARRAY_TASK_ID --plain
SBATCH
sl_job=$(sbatch --parsable "$sl/array.sbatch" 2>&1 | cut -d';' -f1)
[[ "$sl_job" =~ ^[0-9]+$ ]] && ok "sbatch: job array $sl_job of $SL_TASKS tasks" || bad "sbatch" "$sl_job"
sl_job=${sl_job//[^0-9]/}

# requeue task 0 once it has a checkpoint and is still training
sl_step() { sed -n 's/^step-0*\([0-9]*\)\.ckpt$/\1/p' "$sl/runs/task-0/checkpoints/latest" 2>/dev/null; }
for _ in $(seq 600); do [ "$(sl_step)" -ge 200 ] 2>/dev/null && break; sleep 0.1; done
sl_lines=$(wc -l <"$sl/runs/task-0/metrics.csv" 2>/dev/null || echo 0)
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
  run="$sl/runs/task-$t"
  last_step=$(sed -n 's/^step-0*\([0-9]*\)\.ckpt$/\1/p' "$run/checkpoints/latest" 2>/dev/null)
  if [ "$st" = JobState=COMPLETED ] && [ "$(wc -l <"$run/metrics.csv")" = $((SL_EPOCHS + 1)) ] \
     && [ "$(tail -1 "$run/metrics.csv" | cut -d, -f2)" = "$SL_EPOCHS" ] && [ -f "$run/checkpoints/step-$(printf %08d "$last_step").ckpt" ]; then
    ok "task $t: COMPLETED; run folder has $SL_EPOCHS epochs of metrics and its final checkpoint (step $last_step)"
  else bad "task $t: $st" "$(ls "$run" 2>&1; tail -2 "$run/metrics.csv" 2>&1; tail -3 "$sl/logs/slurm-${sl_job}_$t.txt" 2>&1)"; fi
done
sl_states0=$(grep " ArrayJobId=$sl_job ArrayTaskId=0 " "$comp" | grep -o 'JobState=[A-Z_]*' | tr '\n' ' ')
[ "$sl_states0" = "JobState=PENDING JobState=COMPLETED " ] \
  && ok "completion log: task 0's first attempt recorded as requeued (PENDING), then COMPLETED" \
  || bad "completion log for task 0: $sl_states0"

# task 0's log: cancelled for the requeue, restarted, resumed from a checkpoint past step 0
log0="$sl/logs/slurm-${sl_job}_0.txt"
if grep -q "CANCELLED AT .* DUE TO JOB REQUEUE" "$log0" && grep -q '^task 0 restart 1 cpus 1$' "$log0" \
   && grep -qE "^resumed .*/task-0 from step-0*[1-9][0-9]*\.ckpt at [1-9][0-9]*/$SL_EPOCHS epochs done" "$log0"; then
  ok "task 0 resumed from its checkpoint: $(grep -oE 'from step-[0-9]+\.ckpt at [0-9]+/[0-9]+ epochs done' "$log0")"
else bad "task 0 did not resume from its checkpoint" "$(cat "$log0")"; fi
for t in $(seq 1 $((SL_TASKS - 1))); do
  grep -q '^resumed' "$sl/logs/slurm-${sl_job}_$t.txt" && bad "task $t resumed though it was never requeued" || ok "task $t ran once, straight through"
done

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
