#!/usr/bin/env bats
# rstream-tail -N NAME --single-active: several instances share a stream
# (or a super stream's partitions), one is active per stream or partition,
# and when the active one is killed (kill -9) the next takes over after the
# offset stored for NAME. Nothing is lost; what is written twice is what the
# killed reader wrote since its last store: fewer than --store-every plus
# the records of one chunk, per stream or partition it was reading.
# RabbitMQ 3.11 or later: against an older broker the refusal is asserted
# (exit 69, one line).

load helper

STORE=10	# --store-every of every instance

setup_file() {
	BROKER_VERSION=$(broker_version)
	export BROKER_VERSION
}

setup() {
	need_broker
	S=$(new_stream)
	PIDS=()
	D=$BATS_TEST_TMPDIR
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${SUPER:-}" ] && ! old_broker; then
		rstream-cat --super-stream --delete "$S" >/dev/null 2>&1 || true
	else
		drop_stream "$S"
	fi
}

# Is the broker older than 3.11 (no single active consumer)? Unknown: the test fails.
old_broker() {
	broker_older 3.11.0
}

# reader N ARGS...: start instance N in the background (stdout D/oN, stderr D/eN).
reader() {
	local n=$1
	shift
	rstream-tail -v -N grp --single-active --store-every "$STORE" "$@" \
		>"$D/o$n" 2>"$D/e$n" &
	PIDS[n]=$!
}

# Wait (up to 20 s) until the union of the outputs holds the records 1..N.
wait_all() {
	local n=$1
	for _ in $(seq 200); do
		[ "$(cat "$D"/o* | sort -u | wc -l)" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 0
}

# Assert the union of the outputs is exactly 1..N; set DUPS to the records written twice.
check_union() {
	local n=$1
	diff <(cat "$D"/o* | sort -n -u) <(seq 1 "$n") >&2 ||
		fail "records lost (or foreign): see the diff above"
	DUPS=$(($(cat "$D"/o* | wc -l) - n))
}

@test "--single-active usage errors exit 2" {
	run -2 rstream-tail --single-active "$S"
	assert_output --partial "--single-active needs --name"
	run -2 rstream-tail -N g --single-active -e "$S"
	assert_output --partial "not with --exit-at-end"
	run -2 rstream-tail -N g --single-active --info "$S"
}

@test "--single-active is refused before RabbitMQ 3.11 (exit 69, one line)" {
	old_broker || skip "RabbitMQ $BROKER_VERSION has single active consumers: the other tests run"
	rstream-cat --create "$S" </dev/null
	run -69 --separate-stderr rstream-tail -N g --single-active "$S"
	# shellcheck disable=SC2154 # run --separate-stderr sets stderr and stderr_lines
	[ "${#stderr_lines[@]}" -eq 1 ]
	# shellcheck disable=SC2154
	[ "$stderr" = "rstream-tail: $S: single active consumer needs RabbitMQ 3.11 or later; the broker is $BROKER_VERSION" ]
	[ -z "$output" ]
}

@test "a plain stream, two instances: one prints, the other takes over after kill -9" {
	if old_broker; then
		rstream-cat --create "$S" </dev/null
		run -69 rstream-tail -N g --single-active "$S"
		assert_output --partial "needs RabbitMQ 3.11 or later"
		return
	fi
	seq 1 30 | rstream-cat --create "$S"
	reader 1 "$S"
	wait_grep 'is active' "$D/e1" 10
	reader 2 "$S"
	wait_grep 'subscribing' "$D/e2" 10
	sleep 0.5
	# Records flowing, one per publish.
	for i in $(seq 31 60); do echo "$i"; sleep 0.02; done | rstream-cat "$S"
	wait_grep '^60$' "$D/o1" 10
	run -0 cat "$D/o1"
	assert_output "$(seq 1 60)"
	[ ! -s "$D/o2" ] || fail "the inactive instance wrote: $(head -3 "$D/o2")"
	run -1 grep -q 'is active' "$D/e2"
	# Killed while records flow.
	for i in $(seq 61 200); do echo "$i"; sleep 0.01; done | rstream-cat "$S" &
	PUB=$!
	sleep 0.7
	kill -9 "${PIDS[1]}"
	wait "$PUB"
	wait_grep 'is active' "$D/e2" 10
	wait_all 200
	[ -s "$D/o2" ] || fail "the second instance took nothing over: $(cat "$D/e2")"
	check_union 200
	echo "# duplicates: $DUPS (bound: $STORE plus one chunk)" >&3
	[ "$DUPS" -lt "$((2 * STORE))" ]
	# The second instance started after the last stored offset, not at the start.
	run -1 grep -qx 1 "$D/o2"
}

@test "a 3-partition super stream, three instances, the active ones killed one by one: nothing lost" {
	SUPER=1
	if old_broker; then
		run -69 rstream-tail -N g --single-active --super-stream "$S"
		assert_output --partial "need RabbitMQ 3.11 or later"
		return
	fi
	rstream-cat --super-stream --create --partitions 3 -K : "$S" </dev/null
	N=1500
	for n in 1 2 3; do
		reader "$n" --super-stream --format '%s\n' "$S"
		wait_grep 'is active' "$D/e$n" 10
	done
	# The broker spreads the partitions: each instance ends up active on one.
	for _ in $(seq 100); do
		[ "$(cat "$D"/e* | grep -c 'is active')" -ge 5 ] && break
		sleep 0.1
	done
	# Records flow in the background, one every ~5 ms, keys over every partition.
	for i in $(seq 1 $N); do echo "k$i:$i"; sleep 0.005; done |
		rstream-cat --super-stream -K : "$S" 2>"$D/pub.err" &
	PUB=$!
	sleep 2
	for n in 1 2; do
		[ -s "$D/o$n" ] || fail "instance $n was not active: $(cat "$D/e$n")"
		kill -9 "${PIDS[n]}"
		sleep 2.5
	done
	wait "$PUB" || fail "the publisher failed: $(cat "$D/pub.err")"
	wait_all $N
	[ "$(grep -c 'is active' "$D/e3")" -ge 2 ] || fail "instance 3 took nothing over"
	check_union $N
	echo "# records: $N, duplicates: $DUPS (bound: 3 partitions x 2 kills x $STORE, plus chunks)" >&3
	[ "$DUPS" -le "$((6 * STORE))" ]
}

@test "a super stream, instances joining while records flow: partitions handed over without a record lost or repeated" {
	SUPER=1
	if old_broker; then
		run -69 rstream-tail -N g --single-active --super-stream "$S"
		assert_output --partial "need RabbitMQ 3.11 or later"
		return
	fi
	rstream-cat --super-stream --create --partitions 3 -K : "$S" </dev/null
	N=1000
	reader 1 --super-stream --format '%s\n' "$S"
	wait_grep 'is active' "$D/e1" 10
	for i in $(seq 1 $N); do echo "k$i:$i"; sleep 0.005; done |
		rstream-cat --super-stream -K : "$S" 2>"$D/pub.err" &
	PUB=$!
	sleep 1
	reader 2 --super-stream --format '%s\n' "$S"
	sleep 1
	reader 3 --super-stream --format '%s\n' "$S"
	wait "$PUB" || fail "the publisher failed: $(cat "$D/pub.err")"
	wait_all $N
	# The first instance stepped down for the partitions the others took.
	[ "$(grep -c 'is no longer active' "$D/e1")" -ge 2 ] || fail "$(cat "$D/e1")"
	[ -s "$D/o2" ] && [ -s "$D/o3" ] || fail "a joining instance read nothing"
	check_union $N
	echo "# records: $N, duplicates: $DUPS" >&3
	[ "$DUPS" -eq 0 ]
}
