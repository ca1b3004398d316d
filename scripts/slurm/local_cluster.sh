#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying `--emit slurm` and for the opt-in
# round-trip test (xtask/tests/slurm_roundtrip.rs). Debian/Ubuntu only; needs root (or sudo).
#
#   scripts/slurm/local_cluster.sh          install slurm-wlm + munge if missing, write a
#                                           single-node slurm.conf, start munged, slurmctld and
#                                           slurmd, wait until the node is idle
#   scripts/slurm/local_cluster.sh stop     stop the three daemons this script started
#
# cgroup-free (proctrack/linuxproc, task/none), so it also runs in containers without systemd.
# It writes /etc/slurm/slurm.conf only when there is none or the one there is its own (it
# refuses to touch a real cluster's configuration). State and logs go under $STATE.
set -euo pipefail

STATE=${SSLINV_SLURM_STATE:-/var/tmp/sslinv-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by sslinv scripts/slurm/local_cluster.sh"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

stop() {
    for d in slurmd slurmctld; do
        [ -f "$STATE/$d.pid" ] && $SUDO kill "$(cat "$STATE/$d.pid")" 2>/dev/null || true
    done
    [ -f "$STATE/munged.pid" ] && $SUDO kill "$(cat "$STATE/munged.pid")" 2>/dev/null || true
    echo "stopped"
}

if [ "${1:-}" = stop ]; then
    stop
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    echo "$CONF exists and was not written by this script: not touching a real cluster" >&2
    exit 1
fi

host=$(hostname -s)
# The node as slurmd sees it (CPUs, sockets, cores, threads, memory).
node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$host/")
$SUDO mkdir -p "$STATE/ctld" "$STATE/d" /etc/slurm
$SUDO tee "$CONF" >/dev/null <<EOF
$MARK
ClusterName=sslinv-local
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
# Finished jobs stay visible to scontrol for an hour (no accounting database here).
MinJobAge=3600
$node State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# munged runs as its own user with its socket and pid under /run/munge.
if ! pgrep -x munged >/dev/null; then
    $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
    $SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
    [ -f /etc/munge/munge.key ] || $SUDO mungekey --create 2>/dev/null ||
        $SUDO /usr/sbin/create-munge-key -f
    $SUDO runuser -u munge -- /usr/sbin/munged
    sleep 1
    # munged forks into the background and writes the daemon's pid itself.
    $SUDO cp /run/munge/munged.pid "$STATE/munged.pid"
fi
munge -n | unmunge >/dev/null

# Already running: read the configuration written above.
if pgrep -x slurmctld >/dev/null; then
    $SUDO scontrol reconfigure
else
    $SUDO slurmctld
fi
pgrep -x slurmd >/dev/null || $SUDO slurmd

for _ in $(seq 60); do
    state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null || true)
    case "$state" in
    idle*)
        echo "slurm up: node $host idle ($(sinfo -h -N -n "$host" -o '%c CPUs, %m MB'))"
        exit 0
        ;;
    down* | drain* | fail*)
        $SUDO scontrol update nodename="$host" state=resume 2>/dev/null || true
        ;;
    esac
    sleep 1
done
echo "the node did not become idle (state: ${state:-none}); logs in $STATE" >&2
exit 1
