#!/usr/bin/env bash
# Re-captures the Slurm command outputs that SweepTests parse, from the local test cluster
# (scripts/slurm/start-local.sh must be running): a 4-task array, throttled to 2, in which
# task 0 is requeued mid-run and released at once and task 3 exits 1.
# Usage: tests/slurm-samples/capture.sh OUTDIR   (the committed set is in 22.05/)
set -euo pipefail
out=${1:?usage: capture.sh OUTDIR}
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
F='%i|%F|%K|%T|%r'   # the format SlurmClient asks squeue for
cat >"$work/job.sh" <<JOB
#!/bin/bash
#SBATCH --array=0-3%2
#SBATCH --job-name=sample
#SBATCH --output=$work/slurm-%A_%a.txt
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --cpus-per-task=1
#SBATCH --time=0-00:10:00
echo "task \$SLURM_ARRAY_TASK_ID cpus \$SLURM_CPUS_PER_TASK restart \${SLURM_RESTART_COUNT:-0}"
sleep 8
[ "\$SLURM_ARRAY_TASK_ID" = 3 ] && { echo "task 3 fails"; exit 1; }
echo done
JOB
comp=$(scontrol show config | sed -n 's/^JobCompLoc *= *//p')
before=$(wc -l <"$comp" 2>/dev/null || echo 0)
cd "$work"
sbatch --parsable "$work/job.sh" >"$out/sbatch-parsable.txt"
job=$(cut -d';' -f1 "$out/sbatch-parsable.txt")
sleep 2
squeue -h -r -j "$job" -o "$F" >"$out/squeue-running.txt"
scontrol show job -o "${job}_0" >"$out/scontrol-running.txt"
scontrol requeue "${job}_0"; sleep 0.5
squeue -h -r -j "$job" -o "$F" >"$out/squeue-requeued.txt"
scontrol show job -o "${job}_0" >"$out/scontrol-requeued.txt"
scontrol update JobId="${job}_0" StartTime=now
for _ in $(seq 120); do [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && break; sleep 0.5; done
scontrol show job -o "${job}_3" >"$out/scontrol-failed.txt"
tail -n +$((before + 1)) "$comp" >"$out/jobcomp.txt"
scontrol show config | grep -E "^(SLURM_VERSION|JobComp)" >"$out/scontrol-show-config.txt"
{ sbatch --parsable --partition=nope "$work/job.sh" 2>&1 || true; } >"$out/sbatch-bad-partition.txt"
{ squeue -h -r -j 999999 -o "$F" 2>&1 || true; } >"$out/squeue-unknown-job.txt"
echo "captured job $job into $out" >&2
