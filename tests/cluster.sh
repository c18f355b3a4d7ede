#!/bin/bash
# cluster.sh - start/stop a private, throw-away 3-node RabbitMQ cluster
# (rabbitmq_stream plugin, no management plugin) on this machine, for the
# cluster tests: Debian 12's rabbitmq-server 3.10.8 (the host's package, the
# default) or, with RSTREAM_BROKER=4.0, Debian 13's 4.0.5 in a chroot
# (tests/broker-lib.sh: built once and cached at RSTREAM_CHROOT, default
# /var/cache/rstream-tools/trixie; its /proc is unmounted by the stop that
# leaves nothing running there).
#
# Usage:
#   tests/cluster.sh start [DIR]      start 3 nodes and cluster them; DIR
#                                     (default: mktemp -d) must be missing or
#                                     empty and holds everything. Prints one
#                                     line per node on stdout, its URI:
#                                       rabbitmq-stream://guest@localhost:PORT/%2f
#                                     (no password: guest is the tools'
#                                     default)
#                                     and writes DIR/cluster.env (sourceable).
#   tests/cluster.sh stop DIR         stop every node and the epmd, remove DIR
#                                     (idempotent; fine if nodes already died).
#   tests/cluster.sh env DIR          print DIR/cluster.env.
#   tests/cluster.sh status DIR [I]   exit 0 if a stream login succeeds now on
#                                     every node (or on node I).
#   tests/cluster.sh kill DIR I       kill -9 node I's Erlang VM (beam.smp) and
#                                     wait until it is gone.
#   tests/cluster.sh restart DIR I    start node I again (after kill or a
#                                     crash; a running node I is killed
#                                     first) and wait for its stream login.
#   tests/cluster.sh pause DIR I      SIGSTOP node I's beam.smp (a hang).
#   tests/cluster.sh resume DIR I     SIGCONT it.
#   tests/cluster.sh ctl DIR I ARGS   run rabbitmqctl ARGS against node I.
#   tests/cluster.sh streams DIR I ARGS  run rabbitmq-streams ARGS on node I.
#   tests/cluster.sh check            for each RabbitMQ in RSTREAM_BROKER
#                                     (default "3.10 4.0", one after the
#                                     other): start a cluster in a temporary
#                                     directory, run bats tests/cluster/*.bats
#                                     against it, stop it; exit 0 if every
#                                     run passed. Or run them once against
#                                     the running cluster that
#                                     RSTREAM_TEST_CLUSTER_DIR names.
#
# Typical use:
#   dir=$(mktemp -d); tests/cluster.sh start "$dir" >/dev/null || exit 1
#   trap 'tests/cluster.sh stop "$dir"' EXIT
#   . "$dir/cluster.env"   # RSTREAM_CLUSTER_URIS, RSTREAM_URI_1, ...
#                          # (plain assignments; use set -a to export;
#                          # source it again after kill/restart: pids change)
#
# cluster.env: RSTREAM_CLUSTER_DIR, RSTREAM_CLUSTER_ID, RSTREAM_CLUSTER_SIZE
# (3), RSTREAM_CLUSTER_URIS and RSTREAM_CLUSTER_TLS_URIS (space-separated),
# RSTREAM_TLS_DIR (the certificates), RSTREAM_EPMD_PORT, RSTREAM_EPMD_PID,
# and per node I=1..3: RSTREAM_NODE_I (Erlang node name), RSTREAM_URI_I,
# RSTREAM_TLS_URI_I (rabbitmq-stream+tls://guest@localhost:PORT/%2f),
# RSTREAM_STREAM_PORT_I, RSTREAM_TLS_PORT_I, RSTREAM_AMQP_PORT_I,
# RSTREAM_DIST_PORT_I, RSTREAM_BEAM_PID_I (beam.smp, for kill -9 / SIGSTOP;
# empty while the node is killed), RSTREAM_NODE_PID_I (the rabbitmq-server
# wrapper script, session leader), RSTREAM_NODE_DIR_I, RSTREAM_LOG_DIR_I;
# RSTREAM_BROKER (3.10 or 4.0), RSTREAM_BROKER_VERSION (3.10.8, 4.0.5),
# RSTREAM_BROKER_ROOT ('' or the chroot), RSTREAM_CLUSTER_FILES (where the
# nodes' files are: DIR for 3.10; for 4.0 inside the chroot,
# ROOT/srv/rstream-tools/ID, since the nodes cannot see DIR).
#
# The three nodes share one private epmd; every listener (AMQP 0-9-1,
# stream, stream over TLS, Erlang distribution, epmd) binds 127.0.0.1 on a
# free random port. Stream replication uses osiris' default port range
# (6000-6500, listeners open only while a replica connects). Nodes run from
# a slim RabbitMQ home, FILES/rmq: symlinks to the system scripts and to only
# the applications rabbit, rabbitmq_stream and rabbitmq_auth_mechanism_ssl
# need (boots in about half the time; tests/broker-lib.sh: make_slim_home),
# RabbitMQ itself as Debian ships it. Each node
# advertises localhost and its own stream port in Metadata, and to a TLS
# connection localhost and its own TLS port. Every node's TLS listener is
# set up as tests/broker.sh's (tls_conf: the certificates of
# tests/tls-certs.sh in DIR/tls, server.pem for DNS:localhost; SASL EXTERNAL
# with a client certificate as user rstream-client). Nodes 2 and 3 join
# node 1 with rabbitmqctl stop_app / join_cluster / start_app. HOME is FILES
# for the nodes and the CLI, so they share FILES/.erlang.cookie: works for
# root and normal users alike and leaves no trace. Ready = a stream login
# (PeerProperties, SASL PLAIN guest/guest, Tune, Open "/") succeeds on every
# node, on its plain port and then over TLS (checked with /usr/bin/python3,
# stdlib only).
# Knobs: RSTREAM_BROKER and RSTREAM_CHROOT (above); RSTREAM_CLUSTER_TIMEOUT
# (seconds to wait for a node, default 180); RSTREAM_CLUSTER_ALL_PLUGINS=1
# (run from the system RabbitMQ home, with every plugin on the code path);
# for check, RSTREAM_CLUSTER_TESTS (the .bats files to run instead of
# tests/cluster/*.bats).
# Diagnostics (and timings) go to stderr.

[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"

set -eu

MARKER=.rstest-cluster
SIZE=3
PROG=${0##*/}
HERE=$(cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)
PROBE_PIDS=''
CHECK_DIR=''
SPAWNED=''
CF='' CF_IN=''
ROOTCMD=()

# RMQ_BIN PY EPMD, log die now, PY_PORTS PY_PROBE, kill_tree wait_gone spawn
# shellcheck source=tests/broker-lib.sh
. "$HERE/broker-lib.sh"

usage() {
	sed -n '/^# Usage:/,/^# Typical/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

ms_since() { printf '%s' $(( ($(now) - $1) / 1000 )); }

# --- state -------------------------------------------------------------------

# node_var NAME I: the value of RSTREAM_NAME_I.
node_var() { local v="RSTREAM_$1_$2"; printf '%s' "${!v-}"; }
set_node_var() { printf -v "RSTREAM_$1_$2" '%s' "$3"; }

NODE_FIELDS='NODE URI STREAM_PORT AMQP_PORT DIST_PORT BEAM_PID NODE_PID NODE_DIR LOG_DIR
TLS_PORT TLS_URI'

# load_env DIR: read DIR/cluster.env (written by write_env) into this shell.
load_env() {
	local i f
	RSTREAM_CLUSTER_ID='' RSTREAM_EPMD_PID='' RSTREAM_EPMD_PORT=''
	for i in $(seq 1 $SIZE); do
		for f in $NODE_FIELDS; do set_node_var "$f" "$i" ''; done
	done
	RSTREAM_BROKER='' RSTREAM_BROKER_ROOT='' RSTREAM_CLUSTER_FILES=$1
	# shellcheck source=/dev/null
	[ -f "$1/cluster.env" ] && . "$1/cluster.env"
	RSTREAM_CLUSTER_DIR=$1
	started_broker
	cluster_paths
}

# cluster_paths: CF, the directory of the nodes' files as this shell sees
# it, and CF_IN, as the nodes see it (DIR for 3.10; inside the chroot for
# 4.0); ROOTCMD, the command prefix that runs a program where they run.
cluster_paths() {
	CF=$RSTREAM_CLUSTER_FILES
	CF_IN=${CF#"$BROKER_ROOT"}
	root_cmd
}

# in_node_view PATH: PATH (on the host) as the nodes see it.
in_node_view() { printf '%s' "${1#"$BROKER_ROOT"}"; }

write_env() {
	local f=$RSTREAM_CLUSTER_DIR/cluster.env v i
	{
		for v in RSTREAM_CLUSTER_DIR RSTREAM_CLUSTER_ID RSTREAM_CLUSTER_SIZE \
			RSTREAM_CLUSTER_URIS RSTREAM_CLUSTER_TLS_URIS RSTREAM_TLS_DIR \
			RSTREAM_HOST RSTREAM_EPMD_PORT RSTREAM_EPMD_PID RSTREAM_BROKER \
			RSTREAM_BROKER_VERSION RSTREAM_BROKER_ROOT RSTREAM_CLUSTER_FILES; do
			printf '%s=%q\n' "$v" "${!v-}"
		done
		for i in $(seq 1 $SIZE); do
			for v in $NODE_FIELDS; do
				printf 'RSTREAM_%s_%s=%q\n' "$v" "$i" "$(node_var "$v" "$i")"
			done
		done
	} >"$f.tmp.$$"
	mv -f "$f.tmp.$$" "$f"
}

# check_node I: I is a node number.
check_node() {
	case $1 in [1-9]) [ "$1" -le $SIZE ] && return 0 ;; esac
	die "no node '$1' (1..$SIZE)"
}

# Environment shared by every process of the cluster (nodes, epmd, CLI;
# broker-lib.sh). The owner tag marks every process we spawn (see sweep).
export_common_env() { export_erl_env "$CF" "$CF_IN" "$RSTREAM_CLUSTER_ID"; }

# sbin: where the RabbitMQ scripts are run from, as the nodes see it.
sbin() { rmq_sbin "$CF" "$CF_IN"; }

# The environment of node $SPAWN_NODE's server (spawn takes a function name).
SPAWN_NODE=''
export_server_env() {
	local i=$SPAWN_NODE d node amqp dist
	d=$(in_node_view "$(node_var NODE_DIR "$i")")
	node=$(node_var NODE "$i")
	amqp=$(node_var AMQP_PORT "$i")
	dist=$(node_var DIST_PORT "$i")
	export_common_env
	export RSTREAM_CLUSTER_NODE_TAG="$RSTREAM_CLUSTER_ID-$i"
	export RABBITMQ_NODENAME="$node"
	export_rabbit_env "$d" "$amqp" "$dist"
}

# ctl TOOL I ARGS...: run rabbitmqctl (or rabbitmq-streams, ...) against node I.
ctl() {
	local tool=$1 i=$2
	shift 2
	(export_common_env; exec "${ROOTCMD[@]}" "$(sbin)/$tool" -n "$(node_var NODE "$i")" "$@")
}

# is_ours PID: PID is alive (not a zombie) and belongs to this cluster.
is_ours() { [ -n "$RSTREAM_CLUSTER_ID" ] && is_tagged "$RSTREAM_CLUSTER_ID" "$1"; }

sweep() {
	[ -n "$RSTREAM_CLUSTER_ID" ] || return 0
	sweep_tagged "RSTREAM_BROKER_OWNER_TAG=$RSTREAM_CLUSTER_ID"
}

# sweep_node I: KILL what is left of node I (erl_child_setup, ...).
sweep_node() {
	[ -n "$RSTREAM_CLUSTER_ID" ] || return 0
	sweep_tagged "RSTREAM_CLUSTER_NODE_TAG=$RSTREAM_CLUSTER_ID-$1"
}

# beam_pid I: node I's beam.smp pid, from its pid file ('' if not running).
beam_pid() {
	local pid
	pid=$(cat "$(node_var NODE_DIR "$1")/rabbit.pid" 2>/dev/null || :)
	if [ -n "$pid" ] && is_ours "$pid" &&
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ]; then
		printf '%s' "$pid"
	fi
}

# --- stopping ------------------------------------------------------------------

# stop_nodes GRACE I...: TERM the nodes' process groups (CONT first, in case
# one was paused), wait up to GRACE seconds for all of them, KILL the rest.
stop_nodes() {
	local grace=$1 i pid pids='' sig n
	shift
	for i in "$@"; do
		for pid in "$(node_var NODE_PID "$i")" "$(node_var BEAM_PID "$i")"; do
			is_ours "$pid" && pids="$pids $pid"
		done
	done
	for sig in TERM KILL; do
		[ -n "$pids" ] || break
		for pid in $pids; do
			kill -s CONT "$pid" 2>/dev/null || :
			kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null || :
		done
		n=0
		while :; do
			local left=''
			for pid in $pids; do is_ours "$pid" && left="$left $pid"; done
			pids=$left
			if [ -z "$pids" ] || [ "$n" -ge $((grace * 10)) ]; then break; fi
			sleep 0.1
			n=$((n + 1))
		done
		grace=10
	done
	[ -z "$pids" ] || log "processes$pids survived SIGKILL"
	for i in "$@"; do sweep_node "$i"; done
}

# teardown [GRACE]: stop everything recorded in the loaded env, remove the
# directory.
teardown() {
	local i
	stop_nodes "${1:-5}" $(seq 1 $SIZE)
	remove_run "$RSTREAM_CLUSTER_ID" "$CF" "$RSTREAM_CLUSTER_DIR"
}

cmd_stop() {
	{ [ $# -eq 1 ] && [ -n "$1" ]; } || usage
	local t0
	t0=$(now)
	[ -e "$1" ] || return 0
	[ -f "$1/$MARKER" ] || die "$1 was not created by $PROG start; refusing to touch it"
	load_env "$1"
	# If start is still running for DIR, the nodes may not be in the env yet.
	for i in $(seq 1 $SIZE); do
		[ -n "$(node_var BEAM_PID "$i")" ] || set_node_var BEAM_PID "$i" "$(beam_pid "$i")"
	done
	teardown
	log "cluster stopped in $(ms_since "$t0") ms"
}

# --- starting ------------------------------------------------------------------

show_logs() {
	local i
	for i in $(seq 1 $SIZE); do show_logs_in "$(node_var LOG_DIR "$i")"; done
}

fail_start() {
	local p
	trap - EXIT
	trap '' PIPE INT TERM HUP   # clean up even if stderr is gone
	for p in $PROBE_PIDS; do kill "$p" 2>/dev/null || :; done
	log "$*"
	show_logs
	teardown 0
	exit 1
}

# write_node_config I: node I's directory, config and plugins file.
write_node_config() {
	local i=$1 d
	d=$(node_var NODE_DIR "$i")
	mkdir -p "$d/mnesia" "$d/log"
	echo "$TLS_PLUGINS" >"$d/enabled_plugins"
	node_conf "$(node_var AMQP_PORT "$i")" "$(node_var STREAM_PORT "$i")" \
		"$(node_var TLS_PORT "$i")" "$CF_IN" >"$d/rabbitmq.conf"
}

# spawn_node I: start node I's server (in the background, own session).
spawn_node() {
	local i=$1 d
	d=$(node_var NODE_DIR "$i")
	rm -f "$d/rabbit.pid"
	SPAWN_NODE=$i
	spawn_in_root "$d/log/server.out" export_server_env "$(sbin)/rabbitmq-server" || return 1
	set_node_var NODE_PID "$i" "$SPAWNED"
	set_node_var BEAM_PID "$i" ''
}

# await_nodes I...: wait (in parallel) until each node I accepts a stream
# login, then one over TLS (its listener starts with the plain one);
# fail_start on error. Records each node's beam.smp pid.
await_nodes() {
	local i p err=0 timeout=${RSTREAM_CLUSTER_TIMEOUT:-180} d=$RSTREAM_CLUSTER_DIR
	PROBE_PIDS=''
	for i in "$@"; do
		{
			"$PY" -c "$PY_PROBE" localhost "$(node_var STREAM_PORT "$i")" \
				"$(node_var NODE_PID "$i")" "$timeout" &&
			"$PY" -c "$PY_PROBE" localhost "$(node_var TLS_PORT "$i")" \
				"$(node_var NODE_PID "$i")" 10 "$RSTREAM_TLS_DIR/ca.pem"
		} 2>"$d/probe$i.err" &
		PROBE_PIDS="$PROBE_PIDS $!"
	done
	for p in $PROBE_PIDS; do wait "$p" || err=1; done
	PROBE_PIDS=''
	if [ "$err" = 1 ]; then
		for i in "$@"; do
			[ -s "$d/probe$i.err" ] && log "node $i: $(cat "$d/probe$i.err")"
		done
		return 1
	fi
	for i in "$@"; do
		rm -f "$d/probe$i.err"
		set_node_var BEAM_PID "$i" "$(beam_pid "$i")"
		[ -n "$(node_var BEAM_PID "$i")" ] || { log "node $i: no beam.smp pid"; return 1; }
	done
}

# ctl_joiners TOOL ARGS...: run TOOL ARGS against nodes 2..SIZE in parallel;
# fail (showing their output) if any fails.
ctl_joiners() {
	local tool=$1 i p pids='' err=0
	shift
	local args=("$@")
	for i in $(seq 2 $SIZE); do
		ctl "$tool" "$i" "${args[@]}" >"$RSTREAM_CLUSTER_DIR/ctl$i.out" 2>&1 </dev/null &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || err=1; done
	if [ "$err" = 1 ]; then
		cat "$RSTREAM_CLUSTER_DIR"/ctl*.out >&2 || :
		return 1
	fi
	rm -f "$RSTREAM_CLUSTER_DIR"/ctl*.out
}

cmd_start() {
	[ $# -le 1 ] || usage
	local d t0 t1 tb ts ports i p n1
	t0=$(now)
	prepare_start "$MARKER" rstest-cluster rstc "$@"
	tb=$T_READY d=$RUN_DIR
	RSTREAM_CLUSTER_DIR=$d
	RSTREAM_CLUSTER_ID=$RUN_ID
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_BROKER=$BROKER RSTREAM_BROKER_VERSION=$BROKER_VERSION RSTREAM_BROKER_ROOT=$BROKER_ROOT
	node_files "$RSTREAM_CLUSTER_ID" "$d"
	RSTREAM_CLUSTER_FILES=$NODE_FILES
	cluster_paths
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_CLUSTER_SIZE=$SIZE RSTREAM_HOST=localhost
	RSTREAM_EPMD_PID=''
	ports=$("$PY" -c "$PY_PORTS" $((4 * SIZE + 1))) || { rm -rf -- "$d"; die "cannot find free ports"; }
	# shellcheck disable=SC2086 # split the port list
	set -- $ports
	RSTREAM_EPMD_PORT=$1
	shift
	RSTREAM_CLUSTER_URIS='' RSTREAM_CLUSTER_TLS_URIS=''
	RSTREAM_TLS_DIR=$d/tls
	for i in $(seq 1 $SIZE); do
		set_node_var NODE "$i" "$RSTREAM_CLUSTER_ID-$i@localhost"
		set_node_var AMQP_PORT "$i" "$1"
		set_node_var STREAM_PORT "$i" "$2"
		set_node_var DIST_PORT "$i" "$3"
		set_node_var TLS_PORT "$i" "$4"
		shift 4
		# No password in the URIs: guest is the tools' default, and a
		# password given with -u draws a warning (it is on the command line).
		set_node_var URI "$i" "rabbitmq-stream://guest@localhost:$(node_var STREAM_PORT "$i")/%2f"
		set_node_var TLS_URI "$i" "rabbitmq-stream+tls://guest@localhost:$(node_var TLS_PORT "$i")/%2f"
		RSTREAM_CLUSTER_TLS_URIS="$RSTREAM_CLUSTER_TLS_URIS${RSTREAM_CLUSTER_TLS_URIS:+ }$(node_var TLS_URI "$i")"
		set_node_var NODE_DIR "$i" "$CF/n$i"
		set_node_var LOG_DIR "$i" "$CF/n$i/log"
		set_node_var NODE_PID "$i" ''
		set_node_var BEAM_PID "$i" ''
		RSTREAM_CLUSTER_URIS="$RSTREAM_CLUSTER_URIS${RSTREAM_CLUSTER_URIS:+ }$(node_var URI "$i")"
	done
	trap 'fail_start "interrupted"' INT TERM HUP
	trap 'fail_start "start failed"' EXIT

	write_env
	node_home "$CF" "$d" "${RSTREAM_CLUSTER_ALL_PLUGINS:-}"
	node_secrets "$CF" "$d" || fail_start "cannot make the TLS certificates"
	tls_definitions >"$CF/definitions.json"
	for i in $(seq 1 $SIZE); do write_node_config "$i"; done
	write_env

	# One private epmd, loopback only, for the 3 nodes and the CLI.
	start_epmd "$CF/epmd.log" export_common_env

	ts=$(now)
	for i in $(seq 1 $SIZE); do spawn_node "$i" || fail_start "cannot start node $i"; done
	write_env
	# In the background (await_nodes) so that a signal's trap runs at once.
	await_nodes $(seq 1 $SIZE) || fail_start "nodes not ready"
	write_env
	t1=$(now)
	[ $((tb - t0)) -lt 1000000 ] || log "the chroot took $(( (tb - t0) / 1000 )) ms"
	log "$SIZE RabbitMQ $BROKER_VERSION nodes booted in $(ms_since "$tb") ms (spawned at $(( (ts - tb) / 1000 )) ms)"

	# Join nodes 2..SIZE to node 1. stop_app and start_app run in parallel;
	# the joins one at a time (concurrent schema changes can race).
	n1=$(node_var NODE 1)
	ctl_joiners rabbitmqctl stop_app || fail_start "stop_app failed"
	log "stop_app done at $(ms_since "$t1") ms"
	for i in $(seq 2 $SIZE); do
		ctl rabbitmqctl "$i" join_cluster "$n1" >"$d/ctl$i.out" 2>&1 </dev/null || {
			cat "$d/ctl$i.out" >&2
			fail_start "node $i could not join $n1"
		}
		rm -f "$d/ctl$i.out"
	done
	log "join_cluster done at $(ms_since "$t1") ms"
	ctl_joiners rabbitmqctl start_app || fail_start "start_app failed"
	log "start_app done at $(ms_since "$t1") ms"
	await_nodes $(seq 1 $SIZE) || fail_start "nodes not ready after joining"
	write_env
	trap - INT TERM HUP EXIT
	log "RabbitMQ $BROKER_VERSION cluster $RSTREAM_CLUSTER_ID ready in $(ms_since "$tb") ms" \
		"(join $(ms_since "$t1") ms; dir $d${BROKER_ROOT:+, node files $CF})"
	for i in $(seq 1 $SIZE); do printf '%s\n' "$(node_var URI "$i")"; done
}

# --- per-node commands ----------------------------------------------------------

need_env() {
	[ -f "$1/cluster.env" ] || die "no cluster.env in $1"
	load_env "$1"
}

cmd_kill() {
	[ $# -eq 2 ] || usage
	need_env "$1"
	check_node "$2"
	local i=$2 pid wrapper t0
	t0=$(now)
	pid=$(node_var BEAM_PID "$i")
	wrapper=$(node_var NODE_PID "$i")
	if is_ours "$pid"; then
		kill -s KILL "$pid"
		wait_gone "$pid" 10 || die "beam.smp $pid of node $i survived SIGKILL"
	else
		log "node $i is not running"
	fi
	# The wrapper script exits once the VM is gone.
	wait_gone "$wrapper" 10 || kill_tree "$wrapper"
	sweep_node "$i"
	set_node_var BEAM_PID "$i" ''
	set_node_var NODE_PID "$i" ''
	write_env
	log "node $i killed in $(ms_since "$t0") ms"
}

cmd_restart() {
	[ $# -eq 2 ] || usage
	need_env "$1"
	check_node "$2"
	local i=$2 t0
	t0=$(now)
	if is_ours "$(node_var BEAM_PID "$i")" || is_ours "$(node_var NODE_PID "$i")"; then
		log "node $i is running: killing it first"
		"$0" kill "$1" "$i"
		load_env "$1"
	fi
	spawn_node "$i"
	write_env
	trap 'for p in $PROBE_PIDS; do kill "$p" 2>/dev/null || :; done; exit 1' INT TERM HUP
	await_nodes "$i" || {
		show_logs
		die "node $i did not come back"
	}
	trap - INT TERM HUP
	write_env
	log "node $i restarted in $(ms_since "$t0") ms"
}

cmd_signal() {
	[ $# -eq 3 ] || usage
	need_env "$2"
	check_node "$3"
	local pid
	pid=$(node_var BEAM_PID "$3")
	is_ours "$pid" || die "node $3 is not running"
	kill -s "$1" "$pid"
}

cmd_env() {
	[ $# -eq 1 ] || usage
	[ -f "$1/cluster.env" ] || die "no cluster.env in $1"
	cat "$1/cluster.env"
}

cmd_status() {
	[ $# -eq 1 ] || [ $# -eq 2 ] || usage
	need_env "$1"
	local i nodes
	if [ $# -eq 2 ]; then check_node "$2"; nodes=$2; else nodes=$(seq 1 $SIZE); fi
	for i in $nodes; do
		"$PY" -c "$PY_PROBE" localhost "$(node_var STREAM_PORT "$i")" 0 5 ||
			{ log "node $i: no stream login"; return 1; }
		"$PY" -c "$PY_PROBE" localhost "$(node_var TLS_PORT "$i")" 0 5 "$RSTREAM_TLS_DIR/ca.pem" ||
			{ log "node $i: no stream login over TLS"; return 1; }
	done
}

cmd_ctl() {
	local tool=$1
	shift
	[ $# -ge 2 ] || usage
	need_env "$1"
	check_node "$2"
	local i=$2
	shift 2
	export_common_env
	exec "${ROOTCMD[@]}" "$(sbin)/$tool" -n "$(node_var NODE "$i")" "$@"
}

# check: run the cluster suites against a private cluster (or the running
# one RSTREAM_TEST_CLUSTER_DIR names).
cmd_check() {
	[ $# -eq 0 ] || usage
	local rc=0 st t0 kind summary=''
	BUILDDIR=${BUILDDIR:-$(cd "$HERE/.." && pwd)}
	export BUILDDIR
	if [ -n "${RSTREAM_TEST_CLUSTER_DIR:-}" ]; then
		"$0" status "$RSTREAM_TEST_CLUSTER_DIR" ||
			die "RSTREAM_TEST_CLUSTER_DIR=$RSTREAM_TEST_CLUSTER_DIR: no running cluster there"
		export RSTREAM_TEST_CLUSTER_DIR
		run_cluster_suites || rc=$?
		return "$rc"
	fi
	trap '[ -z "$CHECK_DIR" ] || "$0" stop "$CHECK_DIR" || :' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	for kind in ${RSTREAM_BROKER:-3.10 4.0}; do
		t0=$(now)
		CHECK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rstream-cluster.XXXXXX")
		rmdir "$CHECK_DIR"
		if ! RSTREAM_BROKER=$kind "$0" start "$CHECK_DIR" >/dev/null; then
			summary="$summary RabbitMQ $kind: no cluster;"
			rc=1
			CHECK_DIR=''
			continue
		fi
		RSTREAM_TEST_CLUSTER_DIR=$CHECK_DIR
		export RSTREAM_TEST_CLUSTER_DIR
		kind=$(sed -n 's/^RSTREAM_BROKER_VERSION=//p' "$CHECK_DIR/cluster.env")
		st=0
		run_cluster_suites || st=$?
		"$0" stop "$CHECK_DIR" || rc=1
		CHECK_DIR=''
		unset RSTREAM_TEST_CLUSTER_DIR
		if [ "$st" = 0 ]; then st=PASS; else st=FAIL; rc=1; fi
		summary="$summary RabbitMQ $kind: $st in $(( $(ms_since "$t0") / 1000 )) s;"
	done
	log "summary:$summary"
	return "$rc"
}

# run_cluster_suites: bats on the cluster RSTREAM_TEST_CLUSTER_DIR names.
run_cluster_suites() {
	local rc=0 t0
	t0=$(now)
	if [ -n "${RSTREAM_CLUSTER_TESTS:-}" ]; then
		# shellcheck disable=SC2086 # a list of files
		bats $RSTREAM_CLUSTER_TESTS || rc=$?
	else
		bats "$HERE"/cluster/*.bats || rc=$?
	fi
	log "cluster suites took $(ms_since "$t0") ms (status $rc)"
	return "$rc"
}

main() {
	[ $# -ge 1 ] || usage
	local cmd=$1
	shift
	case $cmd in
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	env) cmd_env "$@" ;;
	status) cmd_status "$@" ;;
	kill) cmd_kill "$@" ;;
	restart) cmd_restart "$@" ;;
	pause) cmd_signal STOP "$@" ;;
	resume) cmd_signal CONT "$@" ;;
	ctl) cmd_ctl rabbitmqctl "$@" ;;
	streams) cmd_ctl rabbitmq-streams "$@" ;;
	check) cmd_check "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
