#!/usr/bin/env bats
# Failures in the middle of a run on a 3-node cluster: the leader node is
# killed while rstream-cat publishes and while rstream-tail follows. The
# tools connect again (--retry-for) and every line is there once, in order.

load helper

setup() {
	need_cluster
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
	SEEDS="$(uri 1),$(uri 2),$(uri 3)"
}

teardown() {
	bg_cleanup
	ensure_all_up
	drop_stream "$S"
}

@test "kill -9 of the leader while a named rstream-cat publishes 1,000,000 lines: exit 0, every line once, in order" {
	create_stream "$S" 1
	seq 1 1000000 >"$T/in"
	rstream-cat -v -N shipper --retry-for 60s -u "$SEEDS" "$S" "$T/in" 2>"$T/err" &
	pid=$!
	BG_PIDS="$pid"
	retry 30 yields_one_of "1" stream_leader "$S"
	for _ in $(seq 200); do
		[ "$(confirmed "$S")" -gt 50000 ] 2>/dev/null && break
		sleep 0.05
	done
	started=$SECONDS
	kill_node 1
	echo "# killed node 1, the leader, after $(confirmed "$S" || echo '?') confirms" >&3
	status=0
	wait_exit "$pid" 120 || status=$?
	grep -E 'again|closed|not available' "$T/err" | sed 's/^/# /' >&3 || true
	assert_equal "$status" 0
	echo "# rstream-cat finished $((SECONDS - started)) s after the kill" >&3
	retry "$CLUSTER_WAIT" tail_count "$SEEDS" "$S" "$T/out" 1000000 || cat "$T/out.err" >&2
	check_seq "read after failover" "$T/out" 1000000
}

@test "rstream-tail -f on a replica while the leader dies prints what is published after the failover, without gap or duplicate" {
	create_stream "$S" 1
	seq 1 1000 | rstream-cat -u "$(uri 1)" "$S"
	rstream-tail -v -f -o first --retry-for 60s -u "$(uri 2),$(uri 3)" "$S" >"$T/out" 2>"$T/err" &
	pid=$!
	BG_PIDS="$pid"
	wait_lines "$T/out" 1000 30
	kill_node 1
	echo "# killed node 1, the leader" >&3
	retry "$CLUSTER_WAIT" yields_one_of "2 3" stream_leader "$S"
	seq 1001 3000 | timeout "$TOOL_TIMEOUT" rstream-cat --retry-for 60s -u "$(uri 2),$(uri 3)" "$S"
	wait_lines "$T/out" 3000 60 || true
	kill "$pid" 2>/dev/null || true
	grep -E 'again|closed|available' "$T/err" | sed 's/^/# /' >&3 || true
	check_seq "followed across the failover" "$T/out" 3000
}

@test "a stream deleted under rstream-tail -f on a cluster ends it with exit 69 within 5 s" {
	create_stream "$S" 1
	seq 1 10 | rstream-cat -u "$(uri 1)" "$S"
	rstream-tail -f -o first -u "$(uri 2)" "$S" >"$T/out" 2>"$T/err" &
	pid=$!
	BG_PIDS="$pid"
	wait_lines "$T/out" 10 30
	start=$SECONDS
	drop_stream "$S"
	status=0
	wait_exit "$pid" 30 || status=$?
	assert_equal "$status" 69
	[ $((SECONDS - start)) -le 5 ] || fail "took $((SECONDS - start)) s"
	run cat "$T/err"
	assert_output "rstream-tail: $S: the stream was deleted"
}

@test "a node that stops answering (SIGSTOP) is noticed within two heartbeats; rstream-tail goes on without gap or duplicate" {
	create_stream "$S" 1
	seq 1 1000 | rstream-cat -u "$(uri 1)" "$S"
	rstream-tail -v -f -o first --heartbeat 2s --timeout 3s --retry-for 90s --no-locate \
	    -u "$(uri 2),$(uri 3)" "$S" >"$T/out" 2>"$T/err" &
	pid=$!
	BG_PIDS="$pid"
	wait_lines "$T/out" 1000 30
	"$CLUSTER_SH" pause "$RSTREAM_TEST_CLUSTER_DIR" 2
	start=$SECONDS
	for _ in $(seq 100); do
		grep -q 'no heartbeat' "$T/err" && break
		sleep 0.1
	done
	noticed=$((SECONDS - start))
	# While node 2 is stopped the cluster itself waits on it (Erlang's
	# net_ticktime); once it runs again, publishing and reading go on.
	sleep 3
	"$CLUSTER_SH" resume "$RSTREAM_TEST_CLUSTER_DIR" 2
	seq 1001 2000 | timeout "$TOOL_TIMEOUT" rstream-cat --retry-for 60s -u "$(uri 1),$(uri 3)" "$S"
	wait_lines "$T/out" 2000 60 || true
	kill "$pid" 2>/dev/null || true
	grep -E 'heartbeat|again|connect' "$T/err" | sed 's/^/# /' >&3 || true
	echo "# noticed after about $noticed s (heartbeat 2 s)" >&3
	[ "$noticed" -le 6 ] || fail "the silent node was noticed after $noticed s"
	check_seq "followed across the stopped node" "$T/out" 2000
}
