#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine for tests of job arrays: munged,
# slurmctld and slurmd from Debian's packages (installed with apt when missing), run by
# hand as root without systemd, listening on 127.0.0.1 only. Idempotent: daemons this
# script started earlier and that still run are reused. Stop with stop-local.sh, which
# ends exactly the processes recorded here.
#
# Files it owns: /etc/slurm/slurm.conf (refused when a slurm.conf it did not write is
# there), /etc/munge/munge.key (written only when missing), /var/spool/slurmctld,
# /var/spool/slurmd, /var/spool/retort-slurm (PIDs), /var/log/slurm, /run/munge.
# The completion log (jobcomp/filetxt) is /var/log/slurm/jobcomp.txt.
set -euo pipefail
STATE=/var/spool/retort-slurm
CONF=/etc/slurm/slurm.conf
MARK="# written by retort scripts/slurm/start-local.sh"
WAIT=${SLURM_LOCAL_WAIT:-60}   # seconds to wait for each daemon
die() { echo "start-local: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)"

# 1. packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || die "slurm-wlm and munge are missing and there is no apt-get"
  echo "start-local: installing slurm-wlm munge" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge failed"
  }
fi

mkdir -p "$STATE"
# alive PID COMM: the recorded process still runs and is that daemon
alive() { [ -n "$1" ] && [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm")" = "$2" ]; }
recorded() { cat "$STATE/$1.pid" 2>/dev/null || true; }
# wait_for SECONDS DESCRIPTION COMMAND...: runs COMMAND until it succeeds
wait_for() {
  local n=$1 what=$2; shift 2
  for _ in $(seq $((n * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

# 2. munge
MUNGE_OPTS=(--pid-file=/run/munge/munged.pid --seed-file=/run/munge/munged.seed
            --log-file=/run/munge/munged.log --socket=/run/munge/munge.socket.2)
install -d -o munge -g munge -m 0700 /etc/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  head -c 1024 /dev/urandom >/etc/munge/munge.key.tmp
  chown munge:munge /etc/munge/munge.key.tmp; chmod 0400 /etc/munge/munge.key.tmp
  mv /etc/munge/munge.key.tmp /etc/munge/munge.key
fi
pid=$(recorded munged)
if alive "$pid" munged; then
  echo "start-local: munged already running (pid $pid)" >&2
elif munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "start-local: using a munged this script did not start" >&2
else
  rm -f /run/munge/munged.pid
  su -s /bin/sh munge -c "/usr/sbin/munged $(printf '%q ' "${MUNGE_OPTS[@]}")" || die "munged did not start (see /run/munge/munged.log)"
  wait_for "$WAIT" munged test -s /run/munge/munged.pid || die "munged wrote no PID file within ${WAIT}s"
  cp /run/munge/munged.pid "$STATE/munged.pid"
fi
wait_for "$WAIT" munge sh -c 'munge -n | unmunge | grep -q "STATUS: *Success"' \
  || die "munge -n | unmunge does not succeed within ${WAIT}s (see /run/munge/munged.log)"

# 3. slurm.conf: one node, this host's short name, addresses 127.0.0.1
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))
[ "$mem" -ge 256 ] || mem=256
if [ -e "$CONF" ] && ! head -1 "$CONF" | grep -qF "$MARK"; then
  die "$CONF exists and was not written by this script; move it away to use the local test cluster"
fi
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >"$CONF.tmp" <<CONFEOF
$MARK
ClusterName=local
SlurmctldHost=$host(127.0.0.1)
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/var/spool/slurmctld/slurmctld.pid
SlurmdPidFile=/var/spool/slurmd/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONFEOF
mv "$CONF.tmp" "$CONF"

# 4. slurmctld, then slurmd (each daemonises and writes its PID file)
start_daemon() { # NAME PIDFILE ARGS...
  local name=$1 pidfile=$2; shift 2
  local pid; pid=$(recorded "$name")
  if alive "$pid" "$name"; then echo "start-local: $name already running (pid $pid)" >&2; return; fi
  for p in $(pgrep -x "$name" 2>/dev/null || true); do
    die "a $name this script did not start is running (pid $p); stop it first"
  done
  rm -f "$pidfile"
  "$name" "$@" || die "$name did not start (see /var/log/slurm/$name.log)"
  wait_for "$WAIT" "$name" test -s "$pidfile" || die "$name wrote no PID file within ${WAIT}s (see /var/log/slurm/$name.log)"
  cp "$pidfile" "$STATE/$name.pid"
}
start_daemon slurmctld /var/spool/slurmctld/slurmctld.pid
start_daemon slurmd /var/spool/slurmd/slurmd.pid

node_idle() { sinfo -h -N -n "$host" -o '%t' | grep -Eq '^(idle|mix|alloc)'; }
wait_for "$WAIT" "node" node_idle || {
  die "node $host is not idle after ${WAIT}s: sinfo says '$(sinfo -h -N -o '%N %t' 2>&1 | tr '\n' ' ')' (see /var/log/slurm/)"
}

# 5. the daemons listen on this host only
for port in 6817 6818; do
  addrs=$(ss -Hltn "sport = :$port" | awk '{print $4}' | sort -u | tr '\n' ' ')
  [ -n "$addrs" ] || die "nothing listens on port $port"
  for a in $addrs; do
    case $a in 127.*:$port|\[::1\]:$port) ;; *) die "port $port is bound to $a, not only to this host" ;; esac
  done
done
echo "start-local: node $host idle ($cpus CPUs, ${mem} MiB), partition debug; pids: munged $(recorded munged) slurmctld $(recorded slurmctld) slurmd $(recorded slurmd)" >&2
