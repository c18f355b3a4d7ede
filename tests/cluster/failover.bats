#!/usr/bin/env bats
# Failures in the middle of a run on a 3-node cluster: the leader node is
# killed while rstream-cat publishes and while rstream-tail follows. The
# tools connect again (--retry-for) and every line is there once, in order.
# The kill of the leader under rstream-cat is also run over TLS, where every
# connection, to a seed or to a node that Metadata names, is verified.

load helper

setup() {
	need_cluster
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
	SEEDS="$(uri 1),$(uri 2),$(uri 3)"
	TLS_SEEDS="$(tls_uri 1),$(tls_uri 2),$(tls_uri 3)"
	CA=$RSTREAM_TLS_DIR/ca.pem
	ADVERTISED=''
}

teardown() {
	bg_cleanup
	if [ -n "$ADVERTISED" ]; then
		set_advertised_host "$ADVERTISED" localhost || echo "# node $ADVERTISED still advertises another host" >&3
	fi
	ensure_all_up
	drop_stream "$S"
}

@test "kill -9 of the leader while a named rstream-cat publishes 1,000,000 lines: exit 0, every line once, in order" {
	create_stream "$S" 1
	started=$SECONDS
	status=0
	publish_across_kill "$SEEDS" "$S" 1000000 1 -N shipper --retry-for 60s || status=$?
	grep -E 'again|closed|not available' "$PUB_ERR" | sed 's/^/# /' >&3 || true
	assert_equal "$status" 0
	echo "# rstream-cat done $((SECONDS - started)) s after it started" >&3
	n=$(connections_on "$PUB_ERR" "$(nv STREAM_PORT 1)" "$(nv STREAM_PORT 2)" "$(nv STREAM_PORT 3)")
	echo "# $n connections" >&3
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
	# shellcheck disable=SC2034 # teardown kills it (bg_cleanup)
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

@test "over TLS: kill -9 of the leader while a named rstream-cat publishes 1,000,000 lines: exit 0, every line once, in order, every connection TLS" {
	create_stream "$S" 1
	started=$SECONDS
	status=0
	publish_across_kill "$TLS_SEEDS" "$S" 1000000 1 -N shipper --retry-for 60s --cacert "$CA" || status=$?
	grep -E 'again|closed|not available|TLS' "$PUB_ERR" | sed 's/^/# /' >&3 || true
	assert_equal "$status" 0
	echo "# rstream-cat done $((SECONDS - started)) s after it started" >&3
	n=$(TLS=1 connections_on "$PUB_ERR" "$(nv TLS_PORT 1)" "$(nv TLS_PORT 2)" "$(nv TLS_PORT 3)")
	echo "# $n connections, all TLS" >&3
	retry "$CLUSTER_WAIT" tail_count "$TLS_SEEDS" "$S" "$T/out" 1000000 --cacert "$CA" || cat "$T/out.err" >&2
	check_seq "read over TLS after failover" "$T/out" 1000000
}

@test "over TLS, the node that Metadata names is verified too: advertised as 127.0.0.1, which its certificate does not name, both tools exit 76 naming it" {
	# One member, on node 1; the tools are given node 2 only, so both must
	# go where Metadata says: the leader for rstream-cat, the only member
	# for rstream-tail.
	create_stream "$S" 1 1
	seq 1 100 | rstream-cat -u "$(uri 1)" "$S"
	ADVERTISED=1
	set_advertised_host 1 127.0.0.1
	p1=$(nv TLS_PORT 1)
	run -76 timeout "$TOOL_TIMEOUT" rstream-cat -u "$(tls_uri 2)" --cacert "$CA" "$S" <<<"never"
	assert_line --regexp "^rstream-cat: ($S: )?127\.0\.0\.1:$p1: TLS handshake failed: hostname mismatch: certificate is for localhost"
	run -76 timeout "$TOOL_TIMEOUT" rstream-tail -u "$(tls_uri 2)" --cacert "$CA" -o first "$S"
	assert_line --regexp "^rstream-tail: ($S: )?127\.0\.0\.1:$p1: TLS handshake failed: hostname mismatch: certificate is for localhost"
	# --tls-server-name holds for every connection of the run.
	run -0 timeout "$TOOL_TIMEOUT" rstream-cat -u "$(tls_uri 2)" --cacert "$CA" --tls-server-name localhost "$S" <<<101
	run -0 timeout "$TOOL_TIMEOUT" rstream-tail -u "$(tls_uri 2)" --cacert "$CA" --tls-server-name localhost -o first "$S"
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -v '^rstream-' | tail -n 1)" 101
	set_advertised_host 1 localhost
	ADVERTISED=''
	# Advertised as localhost again: verified, and read through node 2's seed.
	tail_all "$(tls_uri 2)" "$S" "$T/out" --cacert "$CA"
	check_seq "read over TLS through a seed that is not a member" "$T/out" 101
}
