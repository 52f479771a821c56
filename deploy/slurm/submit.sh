#!/bin/bash
# submit.sh SHARDS OUT [sweep flags...]: submit a mollify sweep to Slurm as
# a tuning job array of SHARDS tasks, a final-run array that starts when
# every tuning task has succeeded (--dependency=afterok), and a report job
# after that, all writing into OUT (a folder every node sees). Prints the
# three job ids. Extra sbatch options go in $SBATCH_OPTS (for example
# "--partition=cpu --time=48:00:00"); SUBMIT_WAIT=1 makes the call return
# only when the report job has ended (sbatch --wait), with its exit status.
# The binary is $MOLLIFY, default bin/mollify (make build).
#
# Example: deploy/slurm/submit.sh 100 results/paper -profile paper
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: submit.sh SHARDS OUT [sweep flags: -profile, -tasks, -configs, ...]" >&2
	exit 2
fi
shards=$1 out=$2
shift 2
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
	echo "submit.sh: SHARDS = \"$shards\", want a positive whole number" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${MOLLIFY:-bin/mollify}")
if [ ! -x "$bin" ]; then
	echo "submit.sh: no mollify binary at $bin (run make build, or set MOLLIFY)" >&2
	exit 2
fi
mkdir -p "$out/slurm"
out=$(realpath "$out")
# Check the sweep's flags here, before anything is queued: a plan with a
# bad flag exits 2 without running anything.
"$bin" plan -measure=false "$@" -out "$out" >/dev/null
read -r -a opts <<<"${SBATCH_OPTS:-}"
export MOLLIFY="$bin" MOLLIFY_FLAGS="$* -out $out"
array=(--array="0-$((shards - 1))" --output="$out/slurm/%x-%A_%a.log")
tune=$(MOLLIFY_PHASE=tune sbatch --parsable --job-name=mollify-tune "${opts[@]}" "${array[@]}" "$here/mollify.sbatch")
final=$(MOLLIFY_PHASE=final sbatch --parsable --job-name=mollify-final --dependency="afterok:$tune" "${opts[@]}" "${array[@]}" "$here/mollify.sbatch")
wait=()
if [ "${SUBMIT_WAIT:-}" = 1 ]; then
	wait=(--wait)
fi
echo "tuning array $tune, final array $final" >&2
sbatch --parsable --job-name=mollify-report --dependency="afterok:$final" "${opts[@]}" "${wait[@]}" \
	--output="$out/slurm/%x-%j.log" --wrap "'$bin' report -out '$out'"
