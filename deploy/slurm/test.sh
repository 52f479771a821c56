#!/bin/bash
# test.sh: the Slurm path end to end on this machine (make test-slurm).
# Starts a single-node cluster in a temporary folder, submits a quick sweep
# as 4 shards (tuning array, final array after it, report), and checks the
# merged results against the same sweep made by one process, bit for bit.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge
# (.ci/run installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp" # the munge user enters it
trap '"$here/cluster.sh" stop "$tmp/cluster"; rm -rf "$tmp"' EXIT
cd "$root"
make -s build
sweep=(-profile quick -tasks parity,copy,mnist-tanh -configs baseline,mollified,anneal)
start=$(date +%s)
"$here/cluster.sh" start "$tmp/cluster"
export SLURM_CONF=$tmp/cluster/slurm.conf
SUBMIT_WAIT=1 "$here/submit.sh" 4 "$tmp/slurm" "${sweep[@]}" >/dev/null || {
	echo "test-slurm: the Slurm jobs failed; their logs:" >&2
	tail -n 20 "$tmp"/slurm/slurm/*.log >&2
	exit 1
}
echo "test-slurm: 4-shard sweep on Slurm finished in $(($(date +%s) - start)) s"
bin/mollify run "${sweep[@]}" -workers 2 -out "$tmp/one" 2>/dev/null
bin/mollify check "${sweep[@]}" -golden "$tmp/one" -results "$tmp/slurm"
test -s "$tmp/slurm/report.md"
echo "test-slurm: the report job wrote report.md"
