#!/usr/bin/env bats
# Recovery on one node: the broker drops a tool's connection in the middle
# of a run (rabbit_stream:kill_connection, by connection name); the tool
# connects again and nothing is lost or duplicated. Needs the broker that
# tests/check.sh starts (RSTREAM_TEST_BROKER_DIR), to reach rabbitmqctl.

load helper

setup() {
	need_broker
	[ -n "${RSTREAM_TEST_BROKER_DIR:-}" ] ||
	    fail "these tests need the private broker of tests/check.sh"
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	drop_stream "$S"
}

# Drop every connection the broker knows by NAME.
kill_connections() {
	"$BATS_TEST_DIRNAME/../broker.sh" ctl "$RSTREAM_TEST_BROKER_DIR" eval \
	    "rabbit_stream:kill_connection(\"$1\")." >/dev/null
}

# Wait until the stream has more than N records.
wait_past() {
	for _ in $(seq 200); do
		[ "$(rstream-tail -o last "$S" 2>/dev/null || echo 0)" -gt "$1" ] 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

@test "a named publisher whose connection is dropped sends again what was unconfirmed: every line once, in order" {
	seq 1 1000000 >"$T/in"
	rstream-cat --create "$S" </dev/null
	# The input stays open until the connection is dropped (rabbitmqctl
	# may take longer to start than the whole run from a file takes).
	mkfifo "$T/fifo"
	rstream-cat -v -N shipper "$S" <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 8>"$T/fifo"
	head -n 500000 "$T/in" >&8
	wait_past 1000
	kill_connections rstream-cat
	tail -n +500001 "$T/in" >&8
	exec 8>&-
	wait "$pid"
	run -0 grep -c 'connecting again' "$T/err"
	run -0 bash -c 'rstream-tail -o first "$1" | sha256sum' _ "$S"
	assert_output "$(sha256sum <"$T/in")"
	echo "# lines expected 1000000, found $(rstream-tail -o first "$S" | wc -l)" >&3
}

@test "rstream-tail -f whose connection is dropped goes on after the last record written: no gap, no duplicate" {
	seq 1 100000 | rstream-cat --create "$S"
	rstream-tail -v -f -o first "$S" 2>"$T/err" | "$PY" -c '
import sys, time
time.sleep(1.5)		# a slow reader: the tail is mid-stream when dropped
sys.stdout.buffer.write(sys.stdin.buffer.read())' >"$T/out" &
	for _ in $(seq 100); do
		grep -q subscribing "$T/err" && break
		sleep 0.05
	done
	kill_connections rstream-tail
	seq 100001 200000 | rstream-cat "$S"
	for _ in $(seq 150); do
		grep -q 'reading again' "$T/err" && [ "$(rstream-tail -o last "$S")" = 200000 ] && break
		sleep 0.1
	done
	sleep 1
	pkill -f "rstream-tail -v -f -o first $S" || true
	wait || true
	run -0 grep -c 'reading again' "$T/err"
	seq 1 200000 | cmp - "$T/out"
}

@test "--retry-for 0 gives up at once with status 75" {
	rstream-cat --create "$S" </dev/null
	rstream-tail -v --retry-for 0 -f -o first "$S" >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q subscribing "$T/err" && break
		sleep 0.05
	done
	kill_connections rstream-tail
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 75
	run -0 cat "$T/err"
	assert_output --partial 'connection closed by the broker'
}
