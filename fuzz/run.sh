#!/bin/bash
# run.sh - fuzz each target for RUNS executions from its corpus, then
# minimise the corpus in place (the figures of fuzz/README come from here).
#
# Usage: fuzz/run.sh FUZZBUILD [NAME...]
#   FUZZBUILD: a build directory configured with CC=clang --enable-fuzzing,
#   where `make fuzz/fuzz-NAME` was run. NAME: reader frame chunk amqp spec
#   input subentry route (default: all, one after the other).
# Knobs: RUNS (default 10000000), MAX_TIME (seconds per target, default
#   1800: a cap, the run stops at whichever comes first), WORK (default
#   mktemp -d), NICE (default 19: idle CPU only on a shared machine).
# Per target: a copy of fuzz/corpus/NAME is fuzzed (one process, nice'd;
# crashes go to WORK/NAME-crash-*), libFuzzer's final line and stats are
# printed, then the corpus is minimised with -merge=1 into a fresh directory
# that starts with the named inputs (seed-*, batch-*, regress-*: anything
# not named by its SHA-1; kept whatever their coverage) and replaces
# fuzz/corpus/NAME. Inputs over 64 KiB that the merge adds are left out.

set -eu

[ $# -ge 1 ] || { sed -n '/^# Usage:/,/^# Per/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
FB=$(cd -- "$1" && pwd)
shift
TOP=$(cd -- "$(dirname -- "$0")/.." && pwd)
RUNS=${RUNS:-10000000}
MAX_TIME=${MAX_TIME:-1800}
NICE=${NICE:-19}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/rstream-fuzz.XXXXXX")}
[ $# -gt 0 ] || set -- reader frame chunk amqp spec input subentry route

for name in "$@"; do
	bin=$FB/fuzz/fuzz-$name corpus=$TOP/fuzz/corpus/$name
	[ -x "$bin" ] || { echo "run.sh: $bin missing (make fuzz/fuzz-$name there)" >&2; exit 1; }
	rm -rf -- "${WORK:?}/$name" "${WORK:?}/$name-min"
	mkdir -p -- "$WORK/$name" "$WORK/$name-min" "$WORK/found"
	cp -- "$corpus"/* "$WORK/$name/"
	before=$(find "$corpus" -type f | wc -l)
	rc=0
	nice -n "$NICE" "$bin" -runs="$RUNS" -max_total_time="$MAX_TIME" -print_final_stats=1 \
		-artifact_prefix="$WORK/found/$name-" "$WORK/$name" >"$WORK/$name.log" 2>&1 || rc=$?
	final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$WORK/$name.log" | tail -n 1)
	[ -n "$final" ] || final=$(grep -E '^#[0-9]+' "$WORK/$name.log" | tail -n 1)
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$WORK/$name.log")
	eps=$(awk '/stat::average_exec_per_sec/ {print $2}' "$WORK/$name.log")
	secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$WORK/$name.log" | grep -oE '[0-9]+ second' | cut -d' ' -f1)
	findings=$(find "$WORK/found" -name "$name-*" -type f | wc -l)
	# The named inputs first: the merge keeps what is in the output already.
	find "$corpus" -maxdepth 1 -type f ! -regex '.*/[0-9a-f]\{40\}$' -exec cp -- {} "$WORK/$name-min/" \;
	nice -n "$NICE" "$bin" -merge=1 "$WORK/$name-min" "$WORK/$name" >"$WORK/$name-merge.log" 2>&1
	find "$WORK/$name-min" -type f -size +64k -regex '.*/[0-9a-f]\{40\}$' -delete
	rm -rf -- "$corpus"
	cp -r -- "$WORK/$name-min" "$corpus"
	after=$(find "$corpus" -type f | wc -l)
	bytes=$(cat -- "$corpus"/* | wc -c)
	echo "$name: exit $rc, $execs runs in ${secs:-?} s, $eps exec/s, findings $findings; corpus $before -> $after files ($bytes bytes)"
	echo "$name: $final"
done
echo "run.sh: logs in $WORK"
