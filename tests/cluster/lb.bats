#!/usr/bin/env bats
# --load-balancer on a 3-node cluster behind a TCP load balancer
# (lbproxy.py: round robin over the nodes' stream ports, a fresh one for
# each test, so its first connection goes to node 1, the next to node 2,
# and so on). The nodes advertise 127.0.0.2, where nothing listens: as
# behind NAT or in Docker, the names in Metadata lead nowhere and only the
# proxy's address works. What the proxy itself saw (which node each
# connection went to, the bytes each carried) checks what the tools say.

load helper

LBPROXY="$BATS_TEST_DIRNAME/lbproxy.py"

setup() {
	need_cluster
	S=$(new_stream)
	T=$BATS_TEST_TMPDIR
	ADVERTISED=''
	PROXY_PID=''
	PROXY_PIDS=''
	CA=$RSTREAM_TLS_DIR/ca.pem
}

teardown() {
	local i p
	for p in $PROXY_PIDS; do kill "$p" 2>/dev/null || :; done
	for i in $ADVERTISED; do
		{ set_advertised_host "$i" localhost && set_advertised_tls_host "$i" localhost; } ||
			echo "# node $i still advertises another host" >&3
	done
	bg_cleanup
	ensure_all_up
	drop_stream "$S"
}

# start_proxy NAME PORT...: a proxy in front of the PORTs; its state file
# is $T/NAME.json; sets PROXY_PORT and LB_URI (plain stream protocol).
start_proxy() {
	local name=$1 n=0
	shift
	"$PY" "$LBPROXY" run "$T/$name.json" "$@" >"$T/$name.port" 2>"$T/$name.err" 3>&- &
	PROXY_PID=$!
	PROXY_PIDS="$PROXY_PIDS $PROXY_PID"
	until [ -s "$T/$name.port" ]; do
		kill -0 "$PROXY_PID" 2>/dev/null || { cat "$T/$name.err" >&2; return 1; }
		[ "$n" -lt 100 ] || { echo "lbproxy.py did not start" >&2; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
	PROXY_PORT=$(cat "$T/$name.port")
	LB_URI="rabbitmq-stream://guest@localhost:$PROXY_PORT/%2f"
	STATE=$T/$name.json
}

# proxy_field EXPR: a Python expression over the state d, printed.
proxy_field() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$STATE" "$1"
}

# proxy_quiet: wait until no connection through the proxy is open (the
# tool's last one is closed), then log what the proxy saw.
proxy_quiet() {
	local end=$((SECONDS + 10))
	until [ "$(proxy_field 'd["active"]')" = 0 ]; do
		[ "$SECONDS" -lt "$end" ] || { echo "connections still open through the proxy" >&2; return 1; }
		sleep 0.1
	done
	"$PY" "$LBPROXY" show "$STATE" | sed 's/^/# proxy: /' >&3
}

# proxy_counts: how many connections went to nodes 1, 2 and 3.
proxy_counts() { proxy_field '" ".join(map(str, d["counts"]))'; }

# busiest up|down [FROM]: the node of the connection that carried the most
# bytes that way, among the connections from number FROM (1-based) on.
busiest() {
	proxy_field "max(d['connections'][${2:-1} - 1:], key=lambda c: c['$1'])['backend']"
}

# advertise_nowhere: every node advertises 127.0.0.2 (its own ports still),
# to plain and TLS connections.
advertise_nowhere() {
	local i
	for i in 1 2 3; do
		ADVERTISED="$ADVERTISED $i"
		set_advertised_host "$i" 127.0.0.2
		set_advertised_tls_host "$i" 127.0.0.2
	done
}

# through_proxy FILE N: FILE (a -v stderr) has exactly N "connected to"
# lines, every one to the proxy.
through_proxy() {
	local n
	n=$(grep -c ': connected to ' "$1" || :)
	[ "$n" -eq "$2" ] || { echo "$n connections in $1, not $2: $(cat "$1")" >&2; return 1; }
	n=$(grep ': connected to ' "$1" | grep -vc ": connected to localhost:$PROXY_PORT " || :)
	[ "$n" -eq 0 ] || { echo "$n connections not to the proxy in $1" >&2; return 1; }
}

@test "--load-balancer through a round-robin proxy, advertised names that lead nowhere: rstream-cat publishes at the leader, rstream-tail reads at the only member" {
	create_stream "$S" 3 1
	start_proxy lb "$(nv STREAM_PORT 1)" "$(nv STREAM_PORT 2)" "$(nv STREAM_PORT 3)"
	advertise_nowhere
	p2=$(nv STREAM_PORT 2) p3=$(nv STREAM_PORT 3)
	# The seed lands on node 1, whose Metadata names the leader 127.0.0.2:p3;
	# the proxy sends the next connection to node 2, the one after to 3.
	seq 1 3000 | timeout "$TOOL_TIMEOUT" rstream-cat -v --load-balancer -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	sed 's/^/# /' "$T/cat.err" >&3
	through_proxy "$T/cat.err" 3
	run -0 grep -c "reached 127\.0\.0\.2:$p2 instead of 127\.0\.0\.2:$p3 (the leader) through localhost:$PROXY_PORT; again in " "$T/cat.err"
	assert_output 1
	run -0 grep -c "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p3, the leader, at try 2\$" "$T/cat.err"
	assert_output 1
	proxy_quiet
	assert_equal "$(proxy_counts)" "1 1 1"
	# The records went up the connection to node 3, the leader.
	assert_equal "$(busiest up)" 3
	# rstream-tail: the same three hops to the stream's only member.
	tail_all "$LB_URI" "$S" "$T/out" -v --load-balancer || { cat "$T/out.err" >&2; false; }
	sed 's/^/# /' "$T/out.err" >&3
	check_seq "read through the proxy" "$T/out" 3000
	through_proxy "$T/out.err" 3
	run -0 grep -c "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p3, the leader, at try 2\$" "$T/out.err"
	assert_output 1
	proxy_quiet
	assert_equal "$(proxy_counts)" "2 2 2"
	assert_equal "$(busiest down 4)" 3
	# Every connection the proxy saw was one the tools made: 6, all
	# counted above, none refused by a node.
	assert_equal "$(proxy_field 'd["failed"]')" 0
}

@test "--load-balancer: a node down behind the proxy is a miss like another node, not the end of the search" {
	create_stream "$S" 3 1
	# Backend 2 is a port where nothing listens: the proxy takes the
	# connection, fails to reach the node and closes it.
	dead=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	start_proxy lb "$(nv STREAM_PORT 1)" "$dead" "$(nv STREAM_PORT 3)"
	advertise_nowhere
	p3=$(nv STREAM_PORT 3)
	seq 1 1000 | timeout "$TOOL_TIMEOUT" rstream-cat -v --load-balancer -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	sed 's/^/# /' "$T/cat.err" >&3
	run -0 grep -c "; again in .* (try 2 of 20)\$" "$T/cat.err"
	assert_output 1
	run -0 grep -c "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p3, the leader, at try 2\$" "$T/cat.err"
	assert_output 1
	proxy_quiet
	assert_equal "$(proxy_field 'd["failed"]')" 1
	assert_equal "$(proxy_counts)" "1 0 1"
	assert_equal "$(busiest up)" 3
	tail_all "rabbitmq-stream://guest@localhost:$p3/%2f" "$S" "$T/out"
	check_seq "published through the proxy" "$T/out" 1000
}

@test "without --load-balancer, the same: rstream-cat publishes through whichever node the proxy gave (not the leader), rstream-tail cannot read" {
	create_stream "$S" 3 1
	start_proxy lb "$(nv STREAM_PORT 1)" "$(nv STREAM_PORT 2)" "$(nv STREAM_PORT 3)"
	advertise_nowhere
	p3=$(nv STREAM_PORT 3)
	seq 1 1000 | timeout "$TOOL_TIMEOUT" rstream-cat -v -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	sed 's/^/# /' "$T/cat.err" >&3
	grep -q "127\.0\.0\.2:$p3: Connection refused" "$T/cat.err"
	proxy_quiet
	assert_equal "$(proxy_counts)" "1 0 0"
	assert_equal "$(busiest up)" 1	# node 1 forwarded them to the leader
	# The reader lands on node 2, which holds no member of the stream.
	run -69 timeout "$TOOL_TIMEOUT" rstream-tail --retry-for 0 -u "$LB_URI" -o first "$S"
	assert_line --partial "stream not available"
	proxy_quiet
	assert_equal "$(proxy_counts)" "1 1 0"
	# With it, the records are all there (published through node 1).
	tail_all "$LB_URI" "$S" "$T/out" --load-balancer
	check_seq "read through the proxy" "$T/out" 1000
}

@test "--load-balancer: rstream-tail takes any replica, not the leader; rstream-cat the leader, not a replica" {
	create_stream "$S" 1 3
	seq 1 2000 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	start_proxy lb "$(nv STREAM_PORT 1)" "$(nv STREAM_PORT 2)" "$(nv STREAM_PORT 3)"
	advertise_nowhere
	p1=$(nv STREAM_PORT 1) p2=$(nv STREAM_PORT 2)
	# The seed lands on node 1, the leader; the next connection on node 2,
	# a replica: taken at the first try.
	tail_all "$LB_URI" "$S" "$T/out" -v --load-balancer || { cat "$T/out.err" >&2; false; }
	sed 's/^/# /' "$T/out.err" >&3
	check_seq "read through the proxy" "$T/out" 2000
	through_proxy "$T/out.err" 2
	grep -q "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p2, a replica, at try 1\$" "$T/out.err"
	proxy_quiet
	assert_equal "$(proxy_counts)" "1 1 0"
	assert_equal "$(busiest down)" 2
	# rstream-cat: the seed lands on node 3, a replica; the next on node 1.
	seq 2001 3000 | timeout "$TOOL_TIMEOUT" rstream-cat -v --load-balancer -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	sed 's/^/# /' "$T/cat.err" >&3
	through_proxy "$T/cat.err" 2
	grep -q "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p1, the leader, at try 1\$" "$T/cat.err"
	proxy_quiet
	assert_equal "$(proxy_counts)" "2 1 1"
	assert_equal "$(busiest up 3)" 1
	tail_all "$(uri 3)" "$S" "$T/out"
	check_seq "read through node 3" "$T/out" 3000
}

@test "--load-balancer over TLS: every connection goes to the proxy and is verified as localhost, the name dialled" {
	create_stream "$S" 2 1
	start_proxy tls "$(nv TLS_PORT 1)" "$(nv TLS_PORT 2)" "$(nv TLS_PORT 3)"
	LB_URI="rabbitmq-stream+tls://guest@localhost:$PROXY_PORT/%2f"
	advertise_nowhere
	seq 1 500 | timeout "$TOOL_TIMEOUT" rstream-cat -v --load-balancer --cacert "$CA" -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	sed 's/^/# /' "$T/cat.err" >&3
	through_proxy "$T/cat.err" 2
	[ "$(grep -c ': connected to .*TLSv1\.[23]' "$T/cat.err")" -eq 2 ]
	tail_all "$LB_URI" "$S" "$T/out" --load-balancer --cacert "$CA"
	check_seq "read over TLS through the proxy" "$T/out" 500
	proxy_quiet
	assert_equal "$(proxy_counts)" "2 2 1"
	assert_equal "$(busiest up 1)" 2
}

@test "--load-balancer that never lands on the leader: 20 tries, then rstream-cat stays where it is and says so; every record arrives" {
	create_stream "$S" 1 3
	# A "load balancer" that only knows node 2.
	start_proxy lb "$(nv STREAM_PORT 2)"
	advertise_nowhere
	p1=$(nv STREAM_PORT 1) p2=$(nv STREAM_PORT 2)
	started=$SECONDS
	seq 1 1000 | timeout "$TOOL_TIMEOUT" rstream-cat -v --load-balancer -u "$LB_URI" "$S" 2>"$T/cat.err" ||
		{ cat "$T/cat.err" >&2; false; }
	echo "# rstream-cat took $((SECONDS - started)) s" >&3
	grep -v ': connected to ' "$T/cat.err" | sed 's/^/# /' >&3
	through_proxy "$T/cat.err" 21
	run -0 grep -c "reached 127\.0\.0\.2:$p2 instead of 127\.0\.0\.2:$p1 (the leader) through localhost:$PROXY_PORT; again in " "$T/cat.err"
	assert_output 19
	grep -q "reached 127\.0\.0\.2:$p2 instead of 127\.0\.0\.2:$p1 (the leader); 20 tries: staying there, it forwards to the leader\$" "$T/cat.err"
	proxy_quiet
	assert_equal "$(proxy_field 'd["counts"][0]')" 21
	tail_all "$(uri 3)" "$S" "$T/out"
	check_seq "read through node 3" "$T/out" 1000
}

@test "--load-balancer that only lands on the leader: rstream-tail takes it after 10 tries at a replica" {
	create_stream "$S" 1 3
	seq 1 700 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	# A "load balancer" that only knows node 1, the leader.
	start_proxy lb "$(nv STREAM_PORT 1)"
	advertise_nowhere
	p1=$(nv STREAM_PORT 1)
	tail_all "$LB_URI" "$S" "$T/out" -v --load-balancer || { cat "$T/out.err" >&2; false; }
	grep -v ': connected to ' "$T/out.err" | sed 's/^/# /' >&3
	check_seq "read through the proxy" "$T/out" 700
	# The seed, then 10 misses, then the leader taken at the 11th try.
	through_proxy "$T/out.err" 12
	run -0 grep -c "reached 127\.0\.0\.2:$p1 instead of .* (a replica) through localhost:$PROXY_PORT; again in " "$T/out.err"
	assert_output 10
	grep -q "through localhost:$PROXY_PORT: on 127\.0\.0\.2:$p1, the leader, at try 11\$" "$T/out.err"
	proxy_quiet
	assert_equal "$(proxy_counts)" 12
}

# shellcheck disable=SC2154 # run --separate-stderr sets stderr
@test "--load-balancer that never lands on a member: 20 tries, then rstream-tail says why and, with --retry-for 0, exits 69" {
	create_stream "$S" 1 1
	seq 1 10 | timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri 1)" "$S"
	# A "load balancer" that only knows node 2, which holds no copy.
	start_proxy lb "$(nv STREAM_PORT 2)"
	advertise_nowhere
	p1=$(nv STREAM_PORT 1) p2=$(nv STREAM_PORT 2)
	run -69 --separate-stderr timeout "$TOOL_TIMEOUT" rstream-tail -v --load-balancer \
	    --retry-for 0 -u "$LB_URI" -o first -e "$S"
	printf '%s\n' "$stderr" | grep -v ': connected to ' | sed 's/^/# /' >&3
	assert_equal "$output" ""
	grep -q "reached 127\.0\.0\.2:$p2 instead of 127\.0\.0\.2:$p1 (the leader); 20 tries: staying there, reading needs a node with a member of the stream\$" <<<"$stderr"
	proxy_quiet
	assert_equal "$(proxy_counts)" 21
}
