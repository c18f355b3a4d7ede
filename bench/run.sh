#!/bin/bash
# bench/run.sh - what `make bench` runs: rstream-cat and rstream-tail against
# the reference clients ref-pub and ref-sub, and over TLS against themselves
# over TCP (bench/README.md).
#
# Uses the broker RSTREAM_TEST_URI names, else starts a private one
# (tests/broker.sh) and stops it at the end. The TLS runs use the private
# broker's TLS listener, or RSTREAM_TEST_TLS_URI with the CA in
# RSTREAM_TEST_TLS_CACERT (both unset: no TLS runs). Knobs (environment):
#   BENCH_N=1000000      records per publish/consume run
#   BENCH_SIZES="10 100 1000"  body sizes in bytes
#   BENCH_RUNS=3         runs per figure (median and min-max are printed)
#   BENCH_SWEEP="100 1000 2000 5000 10000 20000"  --max-in-flight values
#   BENCH_SMALL_N=100000 records of the small-chunk consume stream (it is
#                        broker-bound at a few 10k records/s)
#   BENCH_BIG_N=10000000 records of the one-run memory test (0: skip)
#   BENCH_LAT=500        records of the latency test, one per 10 ms (0: skip)
#   BENCH_SUB_N=5*BENCH_N records of the --sub-entry-size 100 end-to-end run
#                        (rstream-cat piped while rstream-tail -f reads; 0: skip)
#   BENCH_CODEC_N=BENCH_N log lines per codec run (bench/loglines.py; 0: skip)
#   BENCH_MULTI=100      streams followed at once, against one stream with as
#                        many records in all (0: skip)
#   BENCH_MULTI_N=BENCH_N records in all, of 100 B
#   BUILDDIR             where rstream-cat, rstream-tail, bench/ref-* are
#   BENCH_RESULTS=FILE   keep the raw results, and FILE.stored the codec
#                        runs' stored bytes (bench/report.py FILE /dev/null
#                        FILE.stored prints the tables again)
# Exits 1 if any command failed (the table is printed all the same).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
B=${BUILDDIR:-$top}
N=${BENCH_N:-1000000}
SIZES=${BENCH_SIZES:-10 100 1000}
RUNS=${BENCH_RUNS:-3}
SWEEP=${BENCH_SWEEP:-100 1000 2000 5000 10000 20000}
LAT=${BENCH_LAT:-500}
SMALL_N=${BENCH_SMALL_N:-100000}
BIG_N=${BENCH_BIG_N:-10000000}
SUB_N=${BENCH_SUB_N:-$((5 * N))}
CODEC_N=${BENCH_CODEC_N:-$N}
MULTI=${BENCH_MULTI:-100}
MULTI_N=${BENCH_MULTI_N:-$N}
MIF=2000	# rstream-cat's default --max-in-flight: ref-pub gets the same bound
# The minimal raw client of issue 13: 100 messages a Publish frame, as many
# frames as 1000 unconfirmed allow written with one write() (ref-pub --coalesce).
RAW_MIF=1000 RAW_PER_FRAME=100
failed=0
CAT=$B/rstream-cat TAIL=$B/rstream-tail PUB=$B/bench/ref-pub SUB=$B/bench/ref-sub
PY=/usr/bin/python3

work=$(mktemp -d)
bdir=''
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	if [ -n "$bdir" ]; then
		"$top/tests/broker.sh" stop "$bdir" >/dev/null 2>&1 || :
	fi
	rm -rf "$work"
}
trap cleanup EXIT
TLS_URI=${RSTREAM_TEST_TLS_URI:-} CA=${RSTREAM_TEST_TLS_CACERT:-}
if [ -n "${RSTREAM_TEST_URI:-}" ]; then
	URI=$RSTREAM_TEST_URI
else
	bdir=$work/broker
	URI=$("$top/tests/broker.sh" start "$bdir")
	# RSTREAM_TEST_TLS_URI and RSTREAM_TLS_DIR, if it has a TLS listener.
	# shellcheck source=/dev/null  # written by tests/broker.sh start
	TLS_URI=$(. "$bdir/broker.env"; echo "${RSTREAM_TEST_TLS_URI:-}")
	# shellcheck source=/dev/null
	CA=$(. "$bdir/broker.env"; echo "${RSTREAM_TLS_DIR:+$RSTREAM_TLS_DIR/ca.pem}")
fi
# guest is the tools' default password; one in the URI makes them warn.
URI=${URI/guest:guest@/guest@} TLS_URI=${TLS_URI/guest:guest@/guest@}
if [ -n "$TLS_URI" ] && [ -z "$CA" ]; then
	echo "bench: RSTREAM_TEST_TLS_URI needs RSTREAM_TEST_TLS_CACERT (the CA's PEM)" >&2
	exit 1
fi
# tls: the TLS runs are made ("" without a TLS listener).
tls=${TLS_URI:+1}
# The private broker's process, for its CPU time per test (none for RSTREAM_TEST_URI's).
bpid=''
[ -n "$bdir" ] && bpid=$(cat "$bdir/rabbit.pid" 2>/dev/null || :)
tck=$(getconf CLK_TCK)
bcpu() {	# the broker's user+system CPU seconds so far, or "-"
	if [ -n "$bpid" ] && [ -r "/proc/$bpid/stat" ]; then
		awk -v t="$tck" '{ print ($14 + $15) / t }' "/proc/$bpid/stat"
	else
		echo -
	fi
}
hostport=${URI#*@}; hostport=${hostport%%/*}
HOST=${hostport%:*} PORT=${hostport##*:}
hostport=${TLS_URI#*@}; hostport=${hostport%%/*}
TLS_HOST=${hostport%:*} TLS_PORT=${hostport##*:}
echo "broker $URI${tls:+ and $TLS_URI}; N=$N sizes=$SIZES runs=$RUNS" >&2
R=$work/results.tsv
: >"$R"
: >"$work/stored"	# codec stored bytes (report.py's third file)
nstreams=0
s='' small='' large=''	# stream names, set by mkstream

# mkstream VAR TAG: a fresh stream, its name in VAR (not printed: a command
# substitution's subshell would not count, and every name would be the same).
mkstream() {
	nstreams=$((nstreams + 1))
	local name=bench-$$-$nstreams-$2
	"$CAT" -u "$URI" --create "$name" </dev/null
	if [ -n "$("$TAIL" -u "$URI" -o first -e -c 1 "$name")" ]; then
		echo "bench: stream $name is not empty" >&2
		exit 1
	fi
	printf -v "$1" %s "$name"
}

# measure GROUP TOOL RECORDS BYTES CMD... (stdin/stdout as set by caller)
measure() {
	local g=$1 t=$2 n=$3 bytes=$4
	shift 4
	local b0 b1 t0 t1
	b0=$(bcpu)
	t0=$EPOCHREALTIME
	if ! /usr/bin/time -f '%U %S %M' -o "$work/time" "$@"; then
		echo "bench: $g/$t failed: $*" >&2
		failed=1
		return 0
	fi
	t1=$EPOCHREALTIME
	b1=$(bcpu)
	[ "$b0" = - ] || b1=$(echo "$b1 - $b0" | bc -l)
	printf '%s\t%s\t%s\t%s\t%s %s %s\n' "$g" "$t" "$n" "$bytes" \
	    "$(echo "$t1 - $t0" | bc -l)" "$(tail -1 "$work/time")" "$b1" >>"$R"
}

lines() {	# lines COUNT SIZE: COUNT lines of SIZE letters
	"$PY" -c "import sys
l = (('abcdefghijklmnopqrstuvwxyz' * ($2 // 26 + 1))[:$2] + '\n').encode()
for i in range(0, $1, 100000):
    sys.stdout.buffer.write(l * min(100000, $1 - i))"
}

# --- publish ---------------------------------------------------------------
for size in $SIZES; do
	in=$work/lines-$size
	lines "$N" "$size" >"$in"
	bytes=$((N * size))
	g="publish ${size}B"
	for r in $(seq "$RUNS"); do
		echo "publish $size B run $r" >&2
		mkstream s p; measure "$g" "rstream-cat" "$N" "$bytes" "$CAT" -u "$URI" "$s" <"$in"
		mkstream s p; measure "$g" "rstream-cat --raw" "$N" "$bytes" "$CAT" -u "$URI" --raw "$s" <"$in"
		if [ -n "$tls" ]; then
			mkstream s p; measure "$g" "rstream-cat TLS" "$N" "$bytes" "$CAT" -u "$TLS_URI" --cacert "$CA" "$s" <"$in"
			mkstream s p; REF_TLS_CA=$CA measure "$g" "ref-pub --amqp TLS" "$N" "$bytes" "$PUB" "$TLS_HOST" "$TLS_PORT" "$s" "$N" "$size" "$MIF" 0 --amqp >/dev/null
		fi
		mkstream s p; measure "$g" "ref-pub --amqp" "$N" "$bytes" "$PUB" "$HOST" "$PORT" "$s" "$N" "$size" "$MIF" 0 --amqp >/dev/null
		mkstream s p; measure "$g" "ref-pub" "$N" "$bytes" "$PUB" "$HOST" "$PORT" "$s" "$N" "$size" "$MIF" >/dev/null
		mkstream s p; measure "$g" "raw-pub --amqp" "$N" "$bytes" "$PUB" "$HOST" "$PORT" "$s" "$N" "$size" "$RAW_MIF" "$RAW_PER_FRAME" --amqp --coalesce >/dev/null
		mkstream s p; measure "$g" "raw-pub" "$N" "$bytes" "$PUB" "$HOST" "$PORT" "$s" "$N" "$size" "$RAW_MIF" "$RAW_PER_FRAME" --coalesce >/dev/null
	done
done

# --- --max-in-flight sweep (100 B, AMQP) -----------------------------------
in=$work/lines-100
[ -f "$in" ] || lines "$N" 100 >"$in"
for m in $SWEEP; do
	g="sweep 100B mif=$m"
	for r in $(seq "$RUNS"); do
		echo "sweep max-in-flight $m run $r" >&2
		mkstream s w; measure "$g" "rstream-cat" "$N" $((N * 100)) "$CAT" -u "$URI" --max-in-flight "$m" "$s" <"$in"
		mkstream s w; measure "$g" "ref-pub --amqp" "$N" $((N * 100)) "$PUB" "$HOST" "$PORT" "$s" "$N" 100 "$m" 0 --amqp >/dev/null
	done
done

# --- consume ---------------------------------------------------------------
# Small chunks: 10 messages per frame, 10 in flight (about 10 records a
# chunk). Large chunks: frames as full as 5000 in flight allow.
for size in $SIZES; do
	echo "writing the consume streams, $size B" >&2
	mkstream small small; "$PUB" "$HOST" "$PORT" "$small" "$SMALL_N" "$size" 10 10 --amqp >/dev/null
	mkstream large large; "$PUB" "$HOST" "$PORT" "$large" "$N" "$size" 5000 0 --amqp >/dev/null
	for kind in small large; do
		eval s=\$$kind
		n=$N; [ $kind = small ] && n=$SMALL_N
		chunks=$("$SUB" "$HOST" "$PORT" "$s" "$n" | awk '{print $4}')
		got=$("$TAIL" -u "$URI" -o first -e -J "$s" | wc -l)	# one line a record
		if [ "$got" -ne "$n" ]; then
			echo "bench: $s holds $got records, not $n" >&2
			exit 1
		fi
		g="consume ${size}B $kind chunks ($((n / chunks)) rec/chunk)"
		for r in $(seq "$RUNS"); do
			echo "consume $size B $kind run $r" >&2
			measure "$g" "rstream-tail" "$n" $((n * size)) "$TAIL" -u "$URI" -o first -e "$s" >/dev/null
			measure "$g" "rstream-tail -J" "$n" $((n * size)) "$TAIL" -u "$URI" -o first -e -J "$s" >/dev/null
			if [ -n "$tls" ]; then
				measure "$g" "rstream-tail TLS" "$n" $((n * size)) "$TAIL" -u "$TLS_URI" --cacert "$CA" -o first -e "$s" >/dev/null
				REF_TLS_CA=$CA measure "$g" "ref-sub TLS" "$n" $((n * size)) "$SUB" "$TLS_HOST" "$TLS_PORT" "$s" "$n" >/dev/null
			fi
			measure "$g" "ref-sub" "$n" $((n * size)) "$SUB" "$HOST" "$PORT" "$s" "$n" >/dev/null
		done
	done
done

# --- memory whatever N: one run of BIG_N records of 100 B -----------------
if [ "$BIG_N" -gt 0 ]; then
	echo "memory: $BIG_N records" >&2
	mkstream s big
	measure "memory ${BIG_N} x 100B" "rstream-cat" "$BIG_N" $((BIG_N * 100)) "$CAT" -u "$URI" "$s" < <(lines "$BIG_N" 100)
	measure "memory ${BIG_N} x 100B" "rstream-tail" "$BIG_N" $((BIG_N * 100)) "$TAIL" -u "$URI" -o first -e "$s" >/dev/null
fi

# --- sub-entry batches (issue 13) ------------------------------------------
# stored BYTES of stream NAME (the private broker's segment files), or "-"
stored() {
	local d sz=0 f
	[ -n "$bdir" ] || { echo -; return; }
	for d in "$bdir"/mnesia/*/stream/__"$1"_*; do
		for f in "$d"/*.segment; do
			[ -f "$f" ] && sz=$((sz + $(stat -c %s "$f")))
		done
	done
	echo "$sz"
}
if [ "$SUB_N" -gt 0 ]; then
	# End to end: one sh starts rstream-tail -o first -f -c N (following the
	# empty stream) in the background, then rstream-cat writing N 100-byte
	# lines in batches of 100, and waits for rstream-tail. Wall time and CPU
	# (both tools together) are the sh's. In the same run, the raw pair does
	# the same: ref-sub following, ref-pub REF_SUB=100 writing the batches
	# (100-byte bodies in AMQP data sections, 10000 records in flight as
	# rstream-cat --sub-entry-size has by default, each frame as full as the
	# window allows): the strongest reference for what this broker and
	# machine can do end to end.
	lines "$SUB_N" 100 >"$work/sub-in"
	for r in $(seq "$RUNS"); do
		echo "sub-entry end to end run $r" >&2
		mkstream s subraw
		# shellcheck disable=SC2016  # sh -c's own arguments
		measure "sub-entry 100 x 100B, end to end" "ref-pub | ref-sub" "$SUB_N" $((SUB_N * 100)) \
		    sh -c '"$1" "$3" "$4" "$5" "$6" >/dev/null & t=$!
			REF_SUB=100 "$2" "$3" "$4" "$5" "$6" 100 10000 --amqp >/dev/null || exit 1
			wait "$t"' \
		    sh "$SUB" "$PUB" "$HOST" "$PORT" "$s" "$SUB_N"
		mkstream s sub
		# shellcheck disable=SC2016  # sh -c's own arguments
		measure "sub-entry 100 x 100B, end to end" "rstream-cat | rstream-tail" "$SUB_N" $((SUB_N * 100)) \
		    sh -c '"$1" -u "$3" -o first -f -c "$5" "$4" >"$7" & t=$!
			"$2" -u "$3" --sub-entry-size 100 "$4" <"$6" || exit 1
			wait "$t"' \
		    sh "$TAIL" "$CAT" "$URI" "$s" "$SUB_N" "$work/sub-in" "$work/sub-out"
		if [ "$(wc -l <"$work/sub-out")" -ne "$SUB_N" ]; then
			echo "bench: sub-entry end to end: rstream-tail did not read $SUB_N records" >&2
			failed=1
		fi
	done
	rm -f "$work/sub-in" "$work/sub-out"
fi
if [ "$CODEC_N" -gt 0 ]; then
	echo "generating $CODEC_N log lines" >&2
	"$PY" "$here/loglines.py" "$CODEC_N" >"$work/logs"
	lbytes=$(wc -c <"$work/logs")
	for r in $(seq "$RUNS"); do
		for c in none gzip snappy lz4 zstd; do
			echo "codec $c run $r" >&2
			mkstream s "codec-$c"
			measure "codec publish, log lines" "$c" "$CODEC_N" "$lbytes" "$CAT" -u "$URI" --sub-entry-size 100 --compression "$c" "$s" <"$work/logs"
			measure "codec read, log lines" "$c" "$CODEC_N" "$lbytes" "$TAIL" -u "$URI" -o first -e "$s" >/dev/null
			printf '%s\t%s\n' "$c" "$(stored "$s")" >>"$work/stored"
		done
	done
	rm -f "$work/logs"
fi

# --- many streams (issue 18) -----------------------------------------------
# rstream-tail -f -o first -c MULTI_N over MULTI streams of MULTI_N/MULTI
# records each, and over one stream of MULTI_N records, the same 100-byte
# records written the same way: CPU (user+sys) per record for both, and the
# ratio; the best of RUNS each.
multi_line=''
if [ "$MULTI" -gt 0 ]; then
	per=$((MULTI_N / MULTI))
	MULTI_N=$((per * MULTI))
	echo "many streams: writing $MULTI streams of $per records, and one of $MULTI_N" >&2
	many=()
	for i in $(seq "$MULTI"); do
		mkstream s "many$i"
		"$PUB" "$HOST" "$PORT" "$s" "$per" 100 5000 0 --amqp >/dev/null
		many+=("$s")
	done
	mkstream s one
	# The same chunks: MULTI publishes of per records.
	for i in $(seq "$MULTI"); do
		"$PUB" "$HOST" "$PORT" "$s" "$per" 100 5000 0 --amqp >/dev/null
	done
	g="follow ${MULTI} streams vs 1, 100B"
	for r in $(seq "$RUNS"); do
		echo "many streams run $r" >&2
		measure "$g" "rstream-tail 1 stream" "$MULTI_N" $((MULTI_N * 100)) "$TAIL" -u "$URI" -f -o first -c "$MULTI_N" "$s" >/dev/null
		measure "$g" "rstream-tail $MULTI streams" "$MULTI_N" $((MULTI_N * 100)) "$TAIL" -u "$URI" -q -f -o first -c "$MULTI_N" "${many[@]}" >/dev/null
	done
	# Fields 5.. of a result: wall user sys maxrss broker-cpu.
	multi_line=$(awk -F '\t' -v g="$g" -v m="$MULTI" '
		$1 == g { split($5, f, " "); c = (f[2] + f[3]) * 1e6 / $3
			  k = ($2 ~ / 1 stream$/) ? 1 : 2
			  if (!(k in best) || c < best[k]) best[k] = c
			  if (!(k in rss) || f[4] > rss[k]) rss[k] = f[4] }
		END { if ((1 in best) && (2 in best))
			printf "rstream-tail CPU per record (user+sys, best of runs): 1 stream %.3f us, %d streams %.3f us, ratio %.2f; max RSS %d KiB and %d KiB (%.0f KiB a stream)\n",
			    best[1], m, best[2], (best[1] > 0 ? best[2] / best[1] : 0), rss[1], rss[2], (rss[2] - rss[1]) / m }' "$R")
fi

# --- latency ---------------------------------------------------------------
if [ "$LAT" -gt 0 ]; then
	for r in $(seq "$RUNS"); do
		echo "latency run $r" >&2
		mkstream s lat
		"$PY" "$here/latency.py" "$CAT" "$TAIL" "$URI" "$s" "$LAT" >>"$work/lat" || echo "bench: latency run failed" >&2
	done
fi

if [ -n "${BENCH_RESULTS:-}" ]; then
	cp "$R" "$BENCH_RESULTS"
	cp "$work/stored" "$BENCH_RESULTS.stored"
fi
"$PY" "$here/report.py" "$R" "$work/lat" "$work/stored"
[ -z "$multi_line" ] || printf '\n%s\n' "$multi_line"
exit $failed
