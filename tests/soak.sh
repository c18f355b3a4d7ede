#!/bin/bash
# soak.sh - a long run under trouble: rstream-cat publishes numbered lines
# at a steady rate into one stream, as a named publisher with --resume, while
# rstream-tail follows it as a named reader into a file; the broker drops
# every connection every SOAK_KILL_EVERY seconds and the node is restarted
# once, half-way. At the end it checks, by itself (awk over the files, not by
# trusting our reader): the reader's file and the stream both hold 1..N, each
# once and in order, N being what the generator wrote; both tools still run
# (until the end of input for rstream-cat); their RSS (VmRSS) grew by at most
# SOAK_RSS_BOUND_KB and their open descriptors did not grow, from the first
# sample (after SOAK_WARMUP seconds) to the last (after the last
# disturbance). Prints the figures; exit 0 when every check holds, 1 if not.
#
# Usage: tests/soak.sh [DURATION]   (make soak SOAK_DURATION=600)
#   DURATION in seconds, default SOAK_DURATION or 600.
# Knobs: SOAK_RATE (records/s, default 2000), SOAK_KILL_EVERY (30),
#   SOAK_WARMUP (20), SOAK_RSS_BOUND_KB (4096), RSTREAM_BROKER (3.10 or 4.0,
#   as for tests/broker.sh), BUILDDIR (where src/rstream-cat is; default the
#   source tree), SOAK_KEEP=1 keeps the work directory.
#
# How the tools are run is how a user shipping a log and a monitoring reader
# would run them:
#   generator | rstream-cat --stats -N soak-pub --resume --retry-for 5m STREAM
#   rstream-tail -F -N soak-reader -o first STREAM >file
# rstream-cat: --retry-for bounds how long a broker may be away before the
# run fails (a restarted node takes 10 to 40 s here); a shipper under cron or
# systemd is started again after a failure, and -N/--resume then publishes
# only what is missing. rstream-tail: -F never gives up (a reader that should
# outlive any broker outage), and -N makes a restarted reader go on after the
# last record it wrote.

set -eu

DURATION=${1:-${SOAK_DURATION:-600}}
RATE=${SOAK_RATE:-2000}
KILL_EVERY=${SOAK_KILL_EVERY:-30}
WARMUP=${SOAK_WARMUP:-20}
RSS_BOUND_KB=${SOAK_RSS_BOUND_KB:-4096}
TOP=$(cd -- "$(dirname -- "$0")/.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP}
PY=${PY:-/usr/bin/python3}
export PATH="$BUILDDIR/src:$BUILDDIR:$PATH"

case $DURATION in '' | *[!0-9]*) echo "soak: DURATION must be whole seconds" >&2; exit 2 ;; esac
[ "$DURATION" -ge 60 ] || { echo "soak: DURATION must be at least 60 s" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rstream-soak.XXXXXX")
BD=$WORK/broker
GEN_PID='' CAT_PID='' TAIL_PID=''

log() { printf 'soak: %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	trap '' INT TERM HUP
	for p in $GEN_PID $CAT_PID $TAIL_PID; do kill "$p" 2>/dev/null || :; done
	"$TOP/tests/broker.sh" stop "$BD" >/dev/null 2>&1 || :
	if [ "${SOAK_KEEP:-}" = 1 ] || [ "$rc" -ne 0 ]; then
		log "work directory kept: $WORK"
		# The broker directory is gone already; the logs of the tools stay.
	else
		rm -rf -- "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The generator: lines 1, 2, 3, ... at RATE per second for DURATION seconds,
# written every 50 ms (catching up after a stall, so the mean rate holds);
# then the count in $WORK/count.
GEN='
import sys, time
rate, dur, countf = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
out, n, t0 = sys.stdout.buffer, 0, time.monotonic()
while True:
    el = time.monotonic() - t0
    target = int(min(el, dur) * rate)
    if target > n:
        out.write(b"".join(b"%d\n" % i for i in range(n + 1, target + 1)))
        out.flush()
        n = target
    if el >= dur:
        break
    time.sleep(0.05)
open(countf, "w").write("%d\n" % n)
'

# sample PID: "rss_kB fds" of a live process.
sample() {
	local rss
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null) || rss='?'
	printf '%s %s' "${rss:-?}" "$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
}

alive() { kill -0 "$1" 2>/dev/null; }

kill_connections() {
	"$TOP/tests/broker.sh" ctl "$BD" eval \
	    'rabbit_stream:kill_connection("rstream-cat"), rabbit_stream:kill_connection("rstream-tail").' \
	    >/dev/null 2>>"$WORK/ctl.err" || log "kill_connection failed (see $WORK/ctl.err)"
}

log "duration ${DURATION}s, rate ${RATE}/s, connections dropped every ${KILL_EVERY}s, one restart; work $WORK"
"$TOP/tests/broker.sh" start "$BD" >/dev/null
# shellcheck source=/dev/null
. "$BD/broker.env"
export RSTREAM_URI=$RSTREAM_TEST_URI
S=soak-$$-$RANDOM
rstream-cat --create "$S" </dev/null

rstream-tail -v -F -N soak-reader -o first "$S" >"$WORK/out" 2>"$WORK/tail.err" &
TAIL_PID=$!
mkfifo "$WORK/fifo"
"$PY" -c "$GEN" "$RATE" "$DURATION" "$WORK/count" >"$WORK/fifo" &
GEN_PID=$!
rstream-cat -v --stats -N soak-pub --resume --retry-for 5m "$S" <"$WORK/fifo" 2>"$WORK/cat.err" &
CAT_PID=$!

T0=$SECONDS
# The last disturbance comes at least 45 s before the end, so that the last
# sample sees both tools settled; the restart falls half-way, between kills.
# (45 s; a quarter of a short run.)
quiet=$((DURATION / 4))
[ "$quiet" -le 45 ] || quiet=45
QUIET_FROM=$((DURATION - quiet))
RESTART_AT=$(( (DURATION / 2 / KILL_EVERY) * KILL_EVERY + KILL_EVERY / 2 ))
[ "$RESTART_AT" -lt "$QUIET_FROM" ] || RESTART_AT=$((DURATION / 3))
next_kill=$KILL_EVERY next_sample=0 restarted='' kills=0 restart_ms='' first='' fail=0
while :; do
	t=$((SECONDS - T0))
	[ "$t" -lt "$((DURATION - 5))" ] || break   # the last sample while input flows
	alive "$TAIL_PID" || { log "rstream-tail died"; fail=1; break; }
	alive "$CAT_PID" || { log "rstream-cat died"; fail=1; break; }
	if [ -z "$first" ] && [ "$t" -ge "$WARMUP" ]; then
		first="$(sample "$CAT_PID") $(sample "$TAIL_PID")"
		log "first sample (cat rss_kB fds, tail rss_kB fds): $first"
		next_sample=$((t + 60))
	fi
	if [ -n "$first" ] && [ "$t" -ge "$next_sample" ]; then
		echo "$t $(sample "$CAT_PID") $(sample "$TAIL_PID")" >>"$WORK/samples"
		next_sample=$((next_sample + 60))
	fi
	if [ -z "$restarted" ] && [ "$t" -ge "$RESTART_AT" ] && [ "$t" -lt "$QUIET_FROM" ]; then
		log "restarting the node"
		t1=$(date +%s%N)
		"$TOP/tests/broker.sh" restart "$BD" 2>>"$WORK/ctl.err" || { log "restart failed"; fail=1; break; }
		restart_ms=$(( ($(date +%s%N) - t1) / 1000000 ))
		restarted=1
		log "node back after ${restart_ms} ms"
		t=$((SECONDS - T0))
		next_kill=$(( (t / KILL_EVERY + 1) * KILL_EVERY ))
	elif [ "$t" -ge "$next_kill" ]; then
		if [ "$t" -lt "$QUIET_FROM" ]; then
			kill_connections
			kills=$((kills + 1))
		fi
		next_kill=$((next_kill + KILL_EVERY))
	fi
	sleep 1
done
last=''
if [ "$fail" = 0 ]; then
	last="$(sample "$CAT_PID") $(sample "$TAIL_PID")"
	log "last sample: $last"
fi

# The end of input: rstream-cat sends the rest and exits; then the reader
# gets every record and is stopped.
cat_rc=0
[ "$fail" = 0 ] || kill "$GEN_PID" 2>/dev/null || :
wait "$GEN_PID" || :
GEN_PID=''
wait "$CAT_PID" || cat_rc=$?
CAT_PID=''
N=$(cat "$WORK/count" 2>/dev/null || echo 0)
for _ in $(seq 240); do
	[ "$(tail -n 1 "$WORK/out" 2>/dev/null)" = "$N" ] && break
	sleep 0.5
done
kill "$TAIL_PID" 2>/dev/null || :
wait "$TAIL_PID" 2>/dev/null || :
TAIL_PID=''
rstream-tail -o first "$S" >"$WORK/stream" 2>"$WORK/read.err" || :

# check FILE: "lines missing duplicated out-of-order" against 1..N.
check() {
	awk -v n="$N" '
	{ v = $0 + 0; if (v != NR) bad++; if (seen[v]++) dup++ ; if (v < prev) ooo++; prev = v }
	END { miss = 0; for (i = 1; i <= n; i++) if (!(i in seen)) miss++
	      printf "%d %d %d %d %d", NR, miss, dup + 0, ooo + 0, bad + 0 }' "$1"
}
read -r out_lines out_miss out_dup out_ooo out_bad <<<"$(check "$WORK/out")"
read -r st_lines st_miss st_dup st_ooo st_bad <<<"$(check "$WORK/stream")"

read -r c_rss0 c_fd0 t_rss0 t_fd0 <<<"${first:-? ? ? ?}"
read -r c_rss1 c_fd1 t_rss1 t_fd1 <<<"${last:-? ? ? ?}"
reconnects_cat=$(grep -c 'connected again' "$WORK/cat.err" || :)
reconnects_tail=$(grep -c 'reading again' "$WORK/tail.err" || :)

echo "soak: RabbitMQ ${RSTREAM_BROKER_VERSION:-?}, ${DURATION} s at ${RATE} records/s, ${kills} connection kills, node restart ${restart_ms:-not done} ms"
echo "soak: records generated ${N}; rstream-cat exit ${cat_rc}, summary: $(grep -E 'records read' "$WORK/cat.err" | tail -n 1)"
echo "soak: reader file: ${out_lines} lines, ${out_miss} missing, ${out_dup} duplicated, ${out_ooo} out of order, ${out_bad} not at their place"
echo "soak: stream:      ${st_lines} records, ${st_miss} missing, ${st_dup} duplicated, ${st_ooo} out of order, ${st_bad} not at their place"
echo "soak: reconnections: rstream-cat ${reconnects_cat}, rstream-tail ${reconnects_tail}"
echo "soak: rstream-cat  VmRSS ${c_rss0} -> ${c_rss1} kB, fds ${c_fd0} -> ${c_fd1}"
echo "soak: rstream-tail VmRSS ${t_rss0} -> ${t_rss1} kB, fds ${t_fd0} -> ${t_fd1}"
if [ -s "$WORK/samples" ]; then
	echo "soak: VmRSS kB every 60 s (cat/tail): $(awk '{printf "%s%s/%s", (NR > 1 ? " " : ""), $2, $4}' "$WORK/samples")"
fi
echo "soak: bounds: VmRSS growth <= ${RSS_BOUND_KB} kB, fds no growth"

ok=1
why() { echo "soak: FAIL: $*"; ok=0; }
[ "$fail" = 0 ] || why "a tool died or the node did not come back"
[ -n "$restarted" ] || why "the node was not restarted"
[ "$N" -gt 0 ] || why "nothing generated"
[ "$cat_rc" = 0 ] || why "rstream-cat exited $cat_rc"
if [ "$out_lines" != "$N" ] || [ "$out_bad" != 0 ]; then why "the reader's file is not 1..$N"; fi
if [ "$st_lines" != "$N" ] || [ "$st_bad" != 0 ]; then why "the stream is not 1..$N"; fi
for pair in "rstream-cat:$c_rss0:$c_rss1:$c_fd0:$c_fd1" "rstream-tail:$t_rss0:$t_rss1:$t_fd0:$t_fd1"; do
	IFS=: read -r name r0 r1 f0 f1 <<<"$pair"
	case "$r0$r1$f0$f1" in *[!0-9]*) why "$name: no samples"; continue ;; esac
	[ $((r1 - r0)) -le "$RSS_BOUND_KB" ] || why "$name: VmRSS grew by $((r1 - r0)) kB"
	[ "$f1" -le "$f0" ] || why "$name: descriptors grew from $f0 to $f1"
done
if [ "$ok" = 1 ]; then
	echo "soak: PASS"
	exit 0
fi
exit 1
