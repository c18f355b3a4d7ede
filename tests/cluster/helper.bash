# Shared set-up of the cluster suites (tests/cluster/*.bats): the programs
# under test, bats-assert, the 3-node cluster (tests/cluster.sh) and helpers
# to place streams and to see which node a connection is on.
bats_require_minimum_version 1.5.0
bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

BUILDDIR=${BUILDDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
PATH="$BUILDDIR:$PATH"
PY=/usr/bin/python3
CLUSTER_SH="$BATS_TEST_DIRNAME/../cluster.sh"
# Longest wait for anything the cluster does on its own (elections, ...).
CLUSTER_WAIT=${RSTREAM_CLUSTER_WAIT:-30}
# A bound on any one run of a tool, so that a hang fails the test.
TOOL_TIMEOUT=${RSTREAM_TOOL_TIMEOUT:-120}

# Suites call this from setup(): loads DIR/cluster.env (RSTREAM_URI_1, ...).
need_cluster() {
	if [ -z "${RSTREAM_TEST_CLUSTER_DIR:-}" ] ||
		[ ! -f "$RSTREAM_TEST_CLUSTER_DIR/cluster.env" ]; then
		echo "RSTREAM_TEST_CLUSTER_DIR is not set: run tests/cluster.sh check" >&2
		return 1
	fi
	unset RSTREAM_URI RSTREAM_PASSWORD
	cluster_env
}

# cluster_env: (re)load cluster.env; kill and restart change the pids.
cluster_env() {
	# shellcheck source=/dev/null
	. "$RSTREAM_TEST_CLUSTER_DIR/cluster.env"
}

# nv NAME I: the value of RSTREAM_NAME_I (nv URI 2, nv NODE 3, ...).
nv() { local v="RSTREAM_$1_$2"; printf '%s' "${!v-}"; }

uri() { nv URI "$1"; }
# tls_uri I: node I's rabbitmq-stream+tls:// URI (its TLS listener; the
# certificates are in $RSTREAM_TLS_DIR, server.pem for DNS:localhost).
tls_uri() { nv TLS_URI "$1"; }

# set_advertised_host I HOST: make node I advertise HOST in Metadata from now
# on (rabbit_stream:host/0 reads the application environment at each
# request; a restart of the node goes back to the configured localhost).
set_advertised_host() {
	ctl "$1" eval "application:set_env(rabbitmq_stream, advertised_host, <<\"$2\">>)." >/dev/null
}

# set_advertised_tls_host I HOST: what node I's Open says to a TLS
# connection (3.10.8's Metadata names advertised_host there too, its Open
# advertised_tls_host: set both, as a deployment would).
set_advertised_tls_host() {
	ctl "$1" eval "application:set_env(rabbitmq_stream, advertised_tls_host, <<\"$2\">>)." >/dev/null
}

# node_up I: node I's beam.smp is alive (per cluster.env).
node_up() {
	local pid
	pid=$(nv BEAM_PID "$1")
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ]
}

# a_live_node: the number of the first node that is up.
a_live_node() {
	local i
	for i in $(seq 1 "$RSTREAM_CLUSTER_SIZE"); do
		node_up "$i" && { echo "$i"; return 0; }
	done
	return 1
}

# ctl I ARGS / streams I ARGS: rabbitmqctl / rabbitmq-streams on node I
# ("any": a live node).
ctl() {
	local i=$1
	shift
	[ "$i" != any ] || i=$(a_live_node)
	"$CLUSTER_SH" ctl "$RSTREAM_TEST_CLUSTER_DIR" "$i" "$@"
}
streams() {
	local i=$1
	shift
	[ "$i" != any ] || i=$(a_live_node)
	"$CLUSTER_SH" streams "$RSTREAM_TEST_CLUSTER_DIR" "$i" "$@"
}

kill_node() { "$CLUSTER_SH" kill "$RSTREAM_TEST_CLUSTER_DIR" "$1" && cluster_env; }
restart_node() { "$CLUSTER_SH" restart "$RSTREAM_TEST_CLUSTER_DIR" "$1" && cluster_env; }

# ensure_all_up: restart every node that is down (teardown after a failure).
ensure_all_up() {
	local i
	cluster_env
	for i in $(seq 1 "$RSTREAM_CLUSTER_SIZE"); do
		node_up "$i" || restart_node "$i" >&2 || return 1
	done
}

# A stream name no other test (or run) uses.
new_stream() {
	printf 'rsc-%s-%s-%s' "${BATS_TEST_NUMBER}" "$$" "$RANDOM$RANDOM"
}

# drop_stream S: delete S (best effort, for tidiness).
drop_stream() {
	ctl any delete_queue "$1" >/dev/null 2>&1 || true
}

# node_index NODENAME: I such that RSTREAM_NODE_I is NODENAME.
node_index() {
	local i
	for i in $(seq 1 "$RSTREAM_CLUSTER_SIZE"); do
		[ "$(nv NODE "$i")" = "$1" ] && { echo "$i"; return 0; }
	done
	echo "?$1"
}

# port_index PORT: I such that RSTREAM_STREAM_PORT_I is PORT.
port_index() {
	local i
	for i in $(seq 1 "$RSTREAM_CLUSTER_SIZE"); do
		[ "$(nv STREAM_PORT "$i")" = "$1" ] && { echo "$i"; return 0; }
	done
	echo "?$1"
}

# stream_placement S: one line "LEADER|MEMBERS|ONLINE" in node numbers, e.g.
# "2|1 2 3|1 2 3" (members and online sorted), from rabbitmqctl list_queues
# on a live node. Empty leader: none known.
stream_placement() {
	local json
	json=$(ctl any list_queues -q --formatter json name leader members online) || return 1
	STREAM="$1" "$PY" -c '
import json, os, sys
name = os.environ["STREAM"]
for q in json.loads(sys.stdin.read() or "[]"):
    if q.get("name") == name:
        def l(x):
            return x if isinstance(x, list) else []
        lead = q.get("leader") or ""
        print("%s|%s|%s" % (lead, " ".join(sorted(l(q.get("members")))),
                            " ".join(sorted(l(q.get("online"))))))
        sys.exit(0)
sys.exit("no stream %s" % name)
' <<<"$json" | {
		local lead mem onl out=() n
		IFS='|' read -r lead mem onl
		for n in $lead; do out+=("$(node_index "$n")"); done
		printf '%s|' "${out[*]-}"
		out=()
		for n in $mem; do out+=("$(node_index "$n")"); done
		printf '%s|' "$(printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"
		out=()
		for n in $onl; do out+=("$(node_index "$n")"); done
		printf '%s\n' "$(printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"
	}
}

stream_leader() { local p; p=$(stream_placement "$1") || return 1; echo "${p%%|*}"; }
stream_members() { local p; p=$(stream_placement "$1") || return 1; p=${p#*|}; echo "${p%%|*}"; }
stream_online() { local p; p=$(stream_placement "$1") || return 1; echo "${p##*|}"; }
# stream_replicas S: the members that are not the leader.
stream_replicas() {
	local p lead m out=()
	p=$(stream_placement "$1") || return 1
	lead=${p%%|*}
	p=${p#*|}
	for m in ${p%%|*}; do [ "$m" = "$lead" ] || out+=("$m"); done
	echo "${out[*]-}"
}

# create_stream S LEADER [SIZE]: create S with node LEADER as its leader and
# SIZE (default: all) members. rstream-cat --create declares the stream on
# the node it is connected to, and the default leader locator (client-local)
# puts the leader there. Checks the placement.
create_stream() {
	local s=$1 lead=$2 size=${3:-$RSTREAM_CLUSTER_SIZE} got
	timeout "$TOOL_TIMEOUT" rstream-cat -u "$(uri "$lead")" --create \
		--initial-cluster-size "$size" "$s" </dev/null || return 1
	got=$(stream_placement "$s") || return 1
	echo "# $s: leader|members|online = $got" >&3
	[ "${got%%|*}" = "$lead" ] || { echo "leader of $s is '${got%%|*}', not $lead" >&2; return 1; }
	got=${got#*|}
	got=${got%%|*}
	[ "$(wc -w <<<"$got")" -eq "$size" ] || { echo "$s has members '$got', not $size" >&2; return 1; }
}

# PY_SOCKETS PID: "LOCALPORT REMOTEPORT" for each established TCP connection
# of process PID (from /proc; no ss or lsof needed).
PY_SOCKETS='
import os, sys
pid = sys.argv[1]
inodes = set()
for fd in os.listdir("/proc/%s/fd" % pid):
    try:
        link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        rows = open(table).read().splitlines()[1:]
    except OSError:
        continue
    for row in rows:
        f = row.split()
        if f[9] in inodes and f[3] == "01":
            print(int(f[1].rsplit(":", 1)[1], 16), int(f[2].rsplit(":", 1)[1], 16))
'

# conn_nodes PID: the node numbers (one per line) the broker reports for the
# stream connections of process PID: rabbitmqctl list_stream_connections
# (cluster-wide) gives each connection's server port (the node's stream
# port) and peer port (the tool's local port, read from /proc/PID).
conn_nodes() {
	local socks json
	socks=$("$PY" -c "$PY_SOCKETS" "$1") || return 1
	[ -n "$socks" ] || return 0
	json=$(ctl any list_stream_connections -q --formatter json port peer_port) || return 1
	SOCKS="$socks" "$PY" -c '
import json, os, sys
mine = {int(l.split()[0]) for l in os.environ["SOCKS"].splitlines() if l.strip()}
for c in json.loads(sys.stdin.read() or "[]"):
    if c.get("peer_port") in mine:
        print(c["port"])
' <<<"$json" | while read -r p; do port_index "$p"; done
}

# wait_conn_nodes PID [SECONDS]: wait until PID has exactly one stream
# connection that the broker knows of; print its node number.
wait_conn_nodes() {
	local pid=$1 end=$((SECONDS + ${2:-$CLUSTER_WAIT})) got
	while :; do
		got=$(conn_nodes "$pid" || :)
		if [ -n "$got" ] && [ "$(wc -l <<<"$got")" -eq 1 ]; then
			echo "$got"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { echo "process $pid exited" >&2; return 1; }
		[ "$SECONDS" -lt "$end" ] || { echo "connections of $pid: '${got//$'\n'/ }'" >&2; return 1; }
		sleep 0.3
	done
}

# retry SECONDS CMD...: run CMD until it succeeds or SECONDS have passed
# (then fail with its last status). RETRY_TRIES: how many runs it took.
retry() {
	local end=$((SECONDS + $1)) rc
	shift
	RETRY_TRIES=0
	while :; do
		rc=0
		RETRY_TRIES=$((RETRY_TRIES + 1))
		"$@" || rc=$?
		[ "$rc" -ne 0 ] || return 0
		[ "$SECONDS" -lt "$end" ] || return "$rc"
		sleep 0.5
	done
}

# yields EXPECTED CMD...: CMD prints EXPECTED (for retry).
yields() { [ "$("${@:2}")" = "$1" ]; }

# yields_one_of "A B ..." CMD...: CMD prints one of the words.
yields_one_of() {
	local got w
	got=$("${@:2}") || return 1
	for w in $1; do [ "$got" = "$w" ] && return 0; done
	return 1
}

# wait_lines FILE N [SECONDS]: wait until FILE has at least N lines.
wait_lines() {
	local end=$((SECONDS + ${3:-$CLUSTER_WAIT}))
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		[ "$SECONDS" -lt "$end" ] || { echo "$1 has $(wc -l <"$1") lines, not $2" >&2; return 1; }
		sleep 0.2
	done
}

# check_seq LABEL FILE N: FILE holds exactly `seq 1 N` (every line once, in
# order). Prints expected/found/duplicated/missing/unexpected/out-of-order
# counts to fd 3 for the log.
check_seq() {
	local label=$1 f=$2 n=$3 counts
	counts=$("$PY" -c '
import sys
n = int(sys.argv[2])
lines = open(sys.argv[1], "rb").read().decode("utf-8", "replace").splitlines()
want = set(range(1, n + 1))
seen, dup, bad, disorder, last = set(), 0, 0, 0, 0
for l in lines:
    try:
        v = int(l)
    except ValueError:
        v = None
    if v not in want or l != str(v):
        bad += 1
        continue
    if v in seen:
        dup += 1
    seen.add(v)
    if v <= last:
        disorder += 1
    last = max(last, v)
print("expected %d found %d duplicated %d missing %d unexpected %d out-of-order %d"
      % (n, len(lines), dup, len(want - seen), bad, disorder))
' "$f" "$n")
	echo "# $label: $counts" >&3
	[ "$counts" = "expected $n found $n duplicated 0 missing 0 unexpected 0 out-of-order 0" ] || {
		echo "$label: $counts" >&2
		return 1
	}
	cmp -s "$f" <(seq 1 "$n") || { echo "$label: content differs from seq 1 $n" >&2; return 1; }
}

# tail_all URI S FILE [ARGS...]: rstream-tail ARGS from the first record to
# the end the stream has now, through URI, into FILE (stderr into FILE.err).
tail_all() {
	local u=$1 s=$2 f=$3
	shift 3
	timeout "$TOOL_TIMEOUT" rstream-tail -u "$u" "$@" -o first "$s" >"$f" 2>"$f.err"
}

# tail_count URI S FILE N [ARGS...]: tail_all that succeeds only with N lines.
tail_count() {
	local u=$1 s=$2 f=$3 n=$4
	shift 4
	tail_all "$u" "$s" "$f" "$@" && [ "$(wc -l <"$f")" -eq "$n" ]
}

# running_nodes: the node numbers (sorted, space-separated) that a live
# node's cluster_status lists as running.
running_nodes() {
	local json
	json=$(ctl any cluster_status --formatter json) || return 1
	"$PY" -c 'import json, sys; print("\n".join(json.load(sys.stdin)["running_nodes"]))' \
		<<<"$json" | while read -r n; do node_index "$n"; done | sort | tr '\n' ' ' | sed 's/ $//'
}

# confirmed S: how many messages the broker has confirmed to the publishers
# now declared on S (rabbitmqctl list_stream_publishers, cluster-wide).
confirmed() {
	local json
	json=$(ctl any list_stream_publishers -q --formatter json stream messages_confirmed) || return 1
	STREAM="$1" "$PY" -c '
import json, os, sys
print(sum(p.get("messages_confirmed", 0) for p in json.loads(sys.stdin.read() or "[]")
          if p.get("stream") == os.environ["STREAM"]))' <<<"$json"
}

# wait_exit PID [SECONDS]: wait for background job PID to exit (killing it
# after SECONDS, default TOOL_TIMEOUT) and return its exit status.
wait_exit() {
	local pid=$1 end=$((SECONDS + ${2:-$TOOL_TIMEOUT}))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "process $pid still running after ${2:-$TOOL_TIMEOUT}s: killing it" >&2
			kill -s KILL "$pid" 2>/dev/null || :
			break
		fi
		sleep 0.1
	done
	wait "$pid"
}

# Background tools a test started; teardown kills what is left (bg_cleanup).
BG_PIDS=''
bg_cleanup() {
	local p
	for p in $BG_PIDS; do kill -s KILL "$p" 2>/dev/null || :; done
	BG_PIDS=''
}

# publish_via URI S FROM TO [ARGS...]: publish `seq FROM TO` to S with
# rstream-cat -u URI ARGS through a pipe that stays open in the middle:
# once the first half is confirmed, PUB_NODE is set to the node the broker
# reports for the tool's connection; then the rest goes and the tool must
# exit 0. Its stderr is in PUB_ERR (a file).
publish_via() {
	local u=$1 s=$2 from=$3 to=$4 mid fifo pid fd rc=0 end
	shift 4
	mid=$(((from + to) / 2))
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/pub.XXXXXX")
	mkfifo "$fifo"
	PUB_ERR=$fifo.err
	PUB_NODE=''
	rstream-cat -u "$u" "$@" "$s" <"$fifo" >"$fifo.out" 2>"$PUB_ERR" 3>&- &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	exec {fd}>"$fifo"
	seq "$from" "$mid" >&"$fd"
	end=$((SECONDS + CLUSTER_WAIT))
	until [ "$(confirmed "$s" || echo 0)" -ge $((mid - from + 1)) ]; do
		if [ "$SECONDS" -ge "$end" ] || ! kill -0 "$pid" 2>/dev/null; then
			exec {fd}>&-
			echo "rstream-cat did not get $((mid - from + 1)) confirms: $(cat "$PUB_ERR")" >&2
			return 1
		fi
		sleep 0.3
	done
	# shellcheck disable=SC2034 # for the tests
	PUB_NODE=$(conn_nodes "$pid" | tr '\n' ' ' | sed 's/ $//')
	seq $((mid + 1)) "$to" >&"$fd"
	exec {fd}>&-
	wait_exit "$pid" || rc=$?
	[ "$rc" -eq 0 ] || echo "rstream-cat exited $rc: $(cat "$PUB_ERR")" >&2
	return "$rc"
}

# publish_across_kill URI S N I [ARGS...]: rstream-cat -v -u URI ARGS S
# publishes `seq 1 N` through a pipe that the test holds: the first half;
# once more than N/20 lines are confirmed, node I is killed (kill -9) while
# the tool runs; then the second half and the end of the input. So the
# failover happens in the middle of the run however fast the tool is (a
# whole file can be published before a rabbitmqctl call returns). Returns
# the tool's status (it is given TOOL_TIMEOUT after the kill); its stderr
# is in PUB_ERR (a file). Logs the confirms at the kill to fd 3.
publish_across_kill() {
	local u=$1 s=$2 n=$3 k=$4 fifo pid fd rc=0 end half=$(($3 / 2))
	shift 4
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/pub.XXXXXX")
	mkfifo "$fifo"
	PUB_ERR=$fifo.err
	rstream-cat -v -u "$u" "$@" "$s" <"$fifo" >"$fifo.out" 2>"$PUB_ERR" 3>&- &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	exec {fd}>"$fifo"
	seq 1 "$half" >&"$fd"
	end=$((SECONDS + CLUSTER_WAIT))
	until [ "$(confirmed "$s" || echo 0)" -gt $((n / 20)) ]; do
		if [ "$SECONDS" -ge "$end" ] || ! kill -0 "$pid" 2>/dev/null; then
			exec {fd}>&-
			echo "rstream-cat did not get $((n / 20)) confirms: $(cat "$PUB_ERR")" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "# killing node $k, $(confirmed "$s" || echo '?') lines confirmed" >&3
	kill_node "$k"
	seq $((half + 1)) "$n" >&"$fd" || :
	exec {fd}>&-
	wait_exit "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "rstream-cat exited $rc:"; cat "$PUB_ERR"; } >&2
	return "$rc"
}

# connections_on FILE PORT... : check that every "connected to" line of a
# -v stderr FILE is to localhost on one of the PORTs, over TLS if TLS=1, and
# that there are at least two (a failover happened); print how many.
connections_on() {
	local f=$1 line n=0 ports=" ${*:2} "
	while read -r line; do
		[[ $line =~ :\ connected\ to\ localhost:([0-9]+)\  ]] ||
			{ echo "not to localhost: $line" >&2; return 1; }
		[[ $ports == *" ${BASH_REMATCH[1]} "* ]] ||
			{ echo "not to one of the ports$ports: $line" >&2; return 1; }
		if [ "${TLS:-}" = 1 ] && [[ ! $line =~ TLSv1\.[23] ]]; then
			echo "not TLS 1.2 or 1.3: $line" >&2
			return 1
		fi
		n=$((n + 1))
	done < <(grep ': connected to ' "$f")
	[ "$n" -ge 2 ] || { echo "$n connection(s) in $f: $(cat "$f")" >&2; return 1; }
	echo "$n"
}

# follow_via URI S N: start rstream-tail -f -o first through URI, wait until
# it printed N lines, set TAIL_NODE to the node its connection is on (per the
# broker), stop it; its output is in TAIL_OUT (a file).
follow_via() {
	local u=$1 s=$2 n=$3 pid
	TAIL_OUT=$(mktemp "$BATS_TEST_TMPDIR/tail.XXXXXX")
	TAIL_NODE=''
	rstream-tail -u "$u" -f -l -o first "$s" >"$TAIL_OUT" 2>"$TAIL_OUT.err" 3>&- &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	wait_lines "$TAIL_OUT" "$n" || { kill "$pid"; cat "$TAIL_OUT.err" >&2; return 1; }
	# shellcheck disable=SC2034 # for the tests
	TAIL_NODE=$(wait_conn_nodes "$pid") || { kill "$pid"; return 1; }
	kill -s TERM "$pid"
	wait_exit "$pid" 10 || :
}
