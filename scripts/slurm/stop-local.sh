#!/usr/bin/env bash
# Stops the daemons start-local.sh started, by the PIDs it recorded (never by name):
# slurmd, slurmctld, then munged. Processes it did not start are left alone.
set -uo pipefail
STATE=/var/spool/retort-slurm
# cancel what is still queued or running on the cluster this script started, so that no job
# step outlives its slurmd
ctld=$(cat "$STATE/slurmctld.pid" 2>/dev/null)
if [ -n "$ctld" ] && [ "$(cat "/proc/$ctld/comm" 2>/dev/null)" = slurmctld ]; then
  jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
  if [ -n "$jobs" ]; then
    scancel $jobs 2>/dev/null
    for _ in $(seq 50); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi
for name in slurmd slurmctld munged; do
  f="$STATE/$name.pid"
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$name" ]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then
      echo "stop-local: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$f"
done
exit 0
