#!/bin/bash
# cluster.sh start DIR | stop DIR: a single-node Slurm cluster (munged,
# slurmctld, slurmd) with its configuration, state and logs in DIR, started
# by hand (no systemd), for testing the suite's Slurm path on one machine.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge.
# After start, client commands need SLURM_CONF=DIR/slurm.conf.
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: cluster.sh start|stop DIR}")

stop() {
	local pids=() pid
	for d in slurmd slurmctld munged; do
		if [ -f "$dir/$d.pid" ]; then
			pid=$(cat "$dir/$d.pid")
			if kill "$pid" 2>/dev/null; then
				pids+=("$pid")
			fi
			rm -f "$dir/$d.pid"
		fi
	done
	# The daemons save their state as they exit: wait for them (up to 30 s
	# each), or removing DIR races with their last writes.
	for pid in "${pids[@]}"; do
		for _ in $(seq 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
}

case $cmd in
stop)
	stop
	exit 0
	;;
start) ;;
*)
	echo "cluster.sh: unknown command $cmd (want start or stop)" >&2
	exit 2
	;;
esac

node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
# munged runs as the munge user: DIR and its parents must let it through.
chmod 755 "$dir"
if ! runuser -u munge -- test -x "$dir"; then
	echo "cluster.sh: the munge user cannot enter $dir (a parent folder is private)" >&2
	exit 1
fi
chown munge: "$dir/munge"
# munge: a fresh key owned by munge, mode 0400, and the daemon as munge.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chown munge: "$dir/munge/munge.key"
chmod 0400 "$dir/munge/munge.key"
mkdir -p /run/munge && chown munge: /run/munge
runuser -u munge -- /usr/sbin/munged --key-file="$dir/munge/munge.key" \
	--pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
	--seed-file="$dir/munge/munged.seed" --force
cp "$dir/munge/munged.pid" "$dir/munged.pid"

cat >"$dir/slurm.conf" <<CONF
ClusterName=mollify
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
MailProg=/bin/true
ReturnToService=2
MaxArraySize=10001
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF" -N "$node"
# Wait until the node takes jobs.
for _ in $(seq 1 60); do
	if sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
		exit 0
	fi
	sleep 0.5
done
echo "cluster.sh: the node did not become idle within 30 s; logs in $dir" >&2
sinfo -N >&2 || true
exit 1
