#!/usr/bin/env bats
# rstream-tail with several STREAMs, and --super-stream, against a real broker.
# Every check of what was read is made by awk over the output, not by
# reading the streams back with rstream-tail.
# shellcheck disable=SC2154 # stderr: run --separate-stderr sets it

load helper

setup() {
	need_broker
	T=$(mktemp -d)
	STREAMS=()
}

teardown() {
	local s
	for s in "${STREAMS[@]}"; do
		drop_stream "$s"
	done
	rm -rf "$T"
}

# mk VAR [LINES]: a new stream holding "NAME 1" .. "NAME LINES" (default 0: empty).
mk() {
	local s
	s=$(new_stream)-$1
	STREAMS+=("$s")
	printf -v "$1" '%s' "$s"
	if [ "${2:-0}" -gt 0 ]; then
		seq 1 "$2" | sed "s/^/$s /" | rstream-cat --create "$s"
	else
		rstream-cat --create "$s" </dev/null
	fi
}

# check_each FILE N STREAM...: FILE's lines "STREAM I" hold I = 1..N for
# each STREAM, exactly once each and in order; nothing else.
check_each() {
	local f=$1 n=$2
	shift 2
	awk -v n="$n" -v want="$*" '
		BEGIN { k = split(want, w, " "); for (i = 1; i <= k; i++) seen[w[i]] = 0 }
		!($1 in seen) { print "unexpected line: " $0; bad = 1; next }
		$2 != seen[$1] + 1 { print $1 ": got " $2 " after " seen[$1]; bad = 1 }
		{ seen[$1] = $2 }
		END { for (s in seen) if (seen[s] != n) { print s ": " seen[s] " of " n; bad = 1 }
		      exit bad }' "$f"
}

# wait_lines FILE N [SECONDS]: until FILE has N lines (default 30 s).
wait_lines() {
	for _ in $(seq $(( ${3:-30} * 10 ))); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 0
}

# sockets PID: how many sockets the process has open (its connections).
sockets() {
	find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

@test "two streams followed while both are published to: every record once, each stream in order" {
	mk A 1
	mk B 1
	rstream-tail -f -o first --format '%t %s\n' "$A" "$B" >"$T/out" 2>"$T/err" &
	pid=$!
	# Several publishes to each, the two streams at the same time.
	for i in 1 2 3 4; do
		seq $(( (i - 1) * 2500 + 2 )) $(( i * 2500 + 1 )) | sed "s/^/$A /" | rstream-cat "$A" &
		seq $(( (i - 1) * 2500 + 2 )) $(( i * 2500 + 1 )) | sed "s/^/$B /" | rstream-cat "$B" &
		wait %2 %3
	done
	wait_lines "$T/out" 20002
	kill "$pid"
	wait "$pid" || true
	# --format's %t is each record's stream (the body begins with its name).
	run awk '$1 != $2 { print; bad = 1 } END { exit bad }' "$T/out"
	assert_success
	assert_output ''
	run check_each <(awk '{ print $2, $3 }' "$T/out") 10001 "$A" "$B"
	assert_success
	assert_output ''
}

@test "fifty streams followed at once while all are published to concurrently" {
	local i s all=()
	for i in $(seq 50); do
		s=$(new_stream)-$i
		STREAMS+=("$s")
		all+=("$s")
		rstream-cat --create "$s" </dev/null
	done
	rstream-tail -f -q -o first "${all[@]}" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1
	for s in "${all[@]}"; do
		seq 1 400 | sed "s/^/$s /" | rstream-cat "$s" &
	done
	wait_lines "$T/out" 20000 60
	sleep 0.5
	# One connection to the node carries all fifty.
	assert_equal "$(sockets "$pid")" 1
	kill "$pid"
	wait
	run check_each "$T/out" 400 "${all[@]}"
	assert_success
	assert_output ''
	run cat "$T/err"
	assert_output ''
}

@test "ninety streams: two shared connections (85 streams of 3 subscription ids each, then another)" {
	local i s all=()
	for i in $(seq 90); do
		s=$(new_stream)-$i
		STREAMS+=("$s")
		all+=("$s")
		printf '%s 1\n' "$s" | rstream-cat --create "$s"
	done
	rstream-tail -f -q -o first "${all[@]}" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out" 90 60
	sleep 1
	assert_equal "$(sockets "$pid")" 2
	for s in "${all[@]:80:10}"; do
		printf '%s 2\n' "$s" | rstream-cat "$s"
	done
	wait_lines "$T/out" 100 30
	kill "$pid"
	wait "$pid" || true
	run check_each <(grep -F -f <(printf '%s \n' "${all[@]:80:10}") "$T/out") 2 "${all[@]:80:10}"
	assert_success
	assert_equal "$(wc -l <"$T/out")" 100
}

@test "headers before each run of another stream's records, as tail(1) writes them; -q leaves them out" {
	mk A 3
	mk B 3
	run -0 rstream-tail -o first "$A" "$B"
	# Each header names the stream of the records under it; a blank line
	# before every header but the first.
	run awk -v a="$A" -v b="$B" '
		/^==> .* <==$/ { cur = $2; h++; if (h > 1 && prev != "") bad = "no blank line before " $0; next }
		/^$/ { prev = ""; next }
		{ if ($1 != cur) bad = "record " $0 " under " cur; n++ ; prev = $0 }
		END { if (bad != "") { print bad; exit 1 } print n, h }' <<<"$output"
	assert_success
	assert_output --regexp '^6 (2|3|4|5|6)$'
	run -0 rstream-tail -o first "$A" "$B"
	assert_line --index 0 --regexp "^==> ($A|$B) <==$"
	run -0 rstream-tail -q -o first "$A" "$B"
	refute_output --partial '==>'
	assert_equal "${#lines[@]}" 6
	run -0 rstream-tail --quiet -o first "$A" "$B"
	assert_equal "${#lines[@]}" 6
	# One stream: no header. -J, --format and --framing=be32: none either.
	run -0 rstream-tail -o first "$A"
	refute_output --partial '==>'
	run -0 rstream-tail -J -o first "$A" "$B"
	refute_output --partial '==>'
	assert_equal "$(grep -c "\"stream\":\"$B\"" <<<"$output")" 3
	run -0 rstream-tail --format '%t:%o\n' -o first "$A" "$B"
	refute_output --partial '==>'
	assert_line "$A:2"
	assert_line "$B:0"
}

@test "-o, -n and -c apply to each stream, -c counts over all" {
	mk A 10
	mk B 10
	run -0 rstream-tail -q -n 2 "$A" "$B"
	assert_equal "$(sort <<<"$output")" "$(printf '%s 10\n%s 9\n%s 10\n%s 9' "$A" "$A" "$B" "$B" | sort)"
	run -0 rstream-tail -q -o 8 "$A" "$B"
	assert_equal "${#lines[@]}" 4
	run -0 rstream-tail -q -o first -c 5 "$A" "$B"
	assert_equal "${#lines[@]}" 5
	run -0 rstream-tail -q -f -o first -c 13 "$A" "$B"
	assert_equal "${#lines[@]}" 13
}

@test "-e over several streams ends at the end each had at the start" {
	mk A 100
	mk B 0
	mk C 7
	run -0 timeout 30 rstream-tail -q -e -o first "$A" "$B" "$C"
	assert_equal "${#lines[@]}" 107
	run -0 timeout 30 rstream-tail -q -o first "$A" "$B" "$C"
	assert_equal "${#lines[@]}" 107
}

@test "a missing stream: one line naming it, the others are read, exit 69" {
	mk A 3
	mk B 3
	M=rst-missing-$$-$RANDOM
	run -69 --separate-stderr rstream-tail -q -o first "$A" "$M" "$B"
	assert_equal "${#lines[@]}" 6
	assert_equal "$stderr" "rstream-tail: $M: stream does not exist"
}

@test "a stream deleted while followed: one line naming it, the others go on, exit 69" {
	mk A 1
	mk B 1
	rstream-tail -q -f -o first -c 12 "$A" "$B" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out" 2
	drop_stream "$B"
	wait_grep 'deleted' "$T/err" 10
	seq 2 11 | sed "s/^/$A /" | rstream-cat "$A"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 69
	run cat "$T/err"
	assert_output "rstream-tail: $B: the stream was deleted"
	run check_each <(grep "^$A " "$T/out") 11 "$A"
	assert_success
}

@test "-F waits for a stream that does not exist yet and reads it once it does" {
	mk A 2
	N=$(new_stream)-new
	STREAMS+=("$N")
	rstream-tail -q -F -o first "$A" "$N" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out" 2
	printf '%s 1\n%s 2\n' "$N" "$N" | rstream-cat --create "$N"
	wait_lines "$T/out" 4 30
	kill "$pid"
	wait "$pid" || true
	run check_each "$T/out" 2 "$A" "$N"
	assert_success
}

@test "-N over several streams: an offset per stream; after kill -9 nothing is lost, duplicates bounded" {
	mk A 0
	mk B 0
	for s in "$A" "$B"; do
		seq 1 5000 | sed "s/^/$s /" | rstream-cat "$s"
	done
	rstream-tail -q -f -N job --store-every 500 "$A" "$B" >"$T/out1" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out1" 10000
	sleep 0.5
	kill -9 "$pid"
	wait "$pid" || true
	for s in "$A" "$B"; do
		seq 5001 6000 | sed "s/^/$s /" | rstream-cat "$s"
	done
	run -0 rstream-tail -q -N job "$A" "$B"
	printf '%s\n' "$output" >"$T/out2"
	# Together: every record, in order once the repeats are dropped.
	run check_each <(cat "$T/out1" "$T/out2" | awk '!seen[$0]++') 6000 "$A" "$B"
	assert_success
	# Repeated: at most what was written after the last store, per stream.
	for s in "$A" "$B"; do
		dups=$(cat "$T/out1" "$T/out2" | grep -c "^$s " | awk '{ print $1 - 6000 }')
		# --store-every 500: at most 500 records, plus the rest of the chunk
		# that crossed it, were written after the last store.
		[ "$dups" -ge 0 ] && [ "$dups" -le 1000 ] || fail "$s: $dups records read twice"
	done
	# Each stream has its own stored offset under the one name.
	run -0 rstream-tail --info -J -N job "$A" "$B"
	assert_equal "$(grep -c '"readers":\[{"name":"job","offset":[0-9]*,"lag":0}' <<<"$output")" 2
}

@test "SIGTERM with -N over several streams: each stream's offset is stored, the run dies by the signal" {
	mk A 5
	mk B 7
	rstream-tail -q -f -N sig "$A" "$B" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out" 12
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	run check_each <(grep "^$A " "$T/out") 5 "$A"
	assert_success
	run check_each <(grep "^$B " "$T/out") 7 "$B"
	assert_success
	# Stored at the end: a new run has nothing to print, then the next record.
	run -0 rstream-tail -q -N sig "$A" "$B"
	assert_output ''
	printf '%s 8\n' "$B" | rstream-cat "$B"
	run -0 rstream-tail -q -N sig "$A" "$B"
	assert_output "$B 8"
}

@test "several streams into a closed pipe: a quiet end, status 0" {
	mk A 3
	mk B 3
	run -0 timeout 20 bash -c 'rstream-tail -f -o first "$1" "$2" | head -1; exit "${PIPESTATUS[0]}"' _ "$A" "$B"
	assert_output --regexp "^==> ($A|$B) <==\$"
}

@test "the shared connection dropped by the broker: every stream connects again and goes on, no gap, no duplicate" {
	[ -n "${RSTREAM_TEST_BROKER_DIR:-}" ] ||
	    fail "this test needs the private broker of tests/check.sh (rabbitmqctl)"
	mk A 1000
	mk B 1000
	mk C 1000
	rstream-tail -v -q -f -o first "$A" "$B" "$C" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$T/out" 3000
	# Three streams, one connection.
	assert_equal "$(sockets "$pid")" 1
	"$BATS_TEST_DIRNAME/../broker.sh" ctl "$RSTREAM_TEST_BROKER_DIR" eval \
	    'rabbit_stream:kill_connection("rstream-tail").' >/dev/null
	for s in "$A" "$B" "$C"; do
		seq 1001 2000 | sed "s/^/$s /" | rstream-cat "$s"
	done
	wait_lines "$T/out" 6000 30
	sleep 0.5
	# Sharing one connection again.
	assert_equal "$(sockets "$pid")" 1
	kill "$pid"
	wait "$pid" || true
	run check_each "$T/out" 2000 "$A" "$B" "$C"
	assert_success
	assert_output ''
	assert_equal "$(grep -c 'reading again' "$T/err")" 3
}

@test "-- COMMAND with several streams: RSTREAM_STREAM is each record's stream" {
	mk A 3
	mk B 3
	run -0 rstream-tail -o first "$A" "$B" -- sh -c 'read -r s n; echo "$RSTREAM_STREAM $s $n"'
	assert_equal "${#lines[@]}" 6
	run awk '$1 != $2 { print; bad = 1 } END { exit bad }' <<<"$output"
	assert_success
}

@test "--super-stream reads every partition (4.0.5), or is refused with the broker's version (3.10.8)" {
	SUP=$(new_stream)-super
	if broker_older 3.11.0; then
		run -69 --separate-stderr rstream-tail --super-stream -o first "$SUP"
		assert_equal "$stderr" "rstream-tail: super streams need RabbitMQ 3.11 or later; the broker is $BROKER_VERSION"
		return
	fi
	"$PY" "$BATS_TEST_DIRNAME/../python/superstream.py" create "$SUP" 3
	for i in 0 1 2; do
		STREAMS+=("$SUP-$i")
		seq 1 4 | sed "s/^/$SUP-$i /" | rstream-cat "$SUP-$i"
	done
	run -0 rstream-tail --super-stream -q -o first "$SUP"
	printf '%s\n' "$output" >"$T/out"
	run check_each "$T/out" 4 "$SUP-0" "$SUP-1" "$SUP-2"
	assert_success
	# Each record's partition: in -J, in --format's %t.
	run -0 rstream-tail --super-stream -J -o first "$SUP"
	assert_equal "$(grep -c "\"stream\":\"$SUP-1\",\"offset\":[0-3]," <<<"$output")" 4
	run -0 rstream-tail --super-stream --format '%t %s\n' -o first "$SUP"
	run awk '$1 != $2 { print; bad = 1 } END { exit bad }' <<<"$output"
	assert_success
	# Headers name the partitions.
	run -0 rstream-tail --super-stream -o first "$SUP"
	assert_line --regexp "^==> $SUP-[012] <==\$"
	# -N: an offset per partition, resumed.
	run -0 rstream-tail --super-stream -q -N r "$SUP"
	assert_equal "${#lines[@]}" 12
	printf '%s 5\n' "$SUP-2" | rstream-cat "$SUP-2"
	run -0 rstream-tail --super-stream -q -N r "$SUP"
	assert_output "$SUP-2 5"
	# One partition is a plain stream.
	run -0 rstream-tail -o first "$SUP-1"
	assert_equal "${#lines[@]}" 4
	# A super stream that does not exist.
	run -69 --separate-stderr rstream-tail --super-stream "$SUP-none"
	assert_equal "$stderr" "rstream-tail: $SUP-none: super stream does not exist"
	"$PY" "$BATS_TEST_DIRNAME/../python/superstream.py" delete "$SUP" 3
}
