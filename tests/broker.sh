#!/bin/bash
# broker.sh - start/stop a private, throw-away RabbitMQ node with the
# rabbitmq_stream plugin, for tests and demos: Debian 12's rabbitmq-server
# 3.10.8 (the host's package, the default) or, with RSTREAM_BROKER=4.0,
# Debian 13's 4.0.5 in a chroot (tests/broker-lib.sh: built once, about
# 35 s, and cached at RSTREAM_CHROOT, default /var/cache/rstream-tools/trixie).
#
# Usage:
#   tests/broker.sh start [DIR]   start a node; DIR (default: mktemp -d) must
#                                 be missing or empty and holds everything.
#                                 Prints one line on stdout, the URI:
#                                   rabbitmq-stream://guest:guest@localhost:PORT/%2f
#                                 and writes DIR/broker.env (sourceable).
#   tests/broker.sh stop DIR      stop the node and its epmd, remove DIR
#                                 (idempotent; fine if the node already died);
#                                 a 4.0 node: unmount the chroot's /proc once
#                                 nothing runs in it any more.
#   tests/broker.sh env DIR       print DIR/broker.env.
#   tests/broker.sh status DIR    exit 0 if a stream login succeeds now.
#   tests/broker.sh restart DIR   stop the node (rabbitmqctl stop: the Erlang
#                                 VM exits, every connection drops) and start
#                                 it again from the same directory (same
#                                 name, ports, data and streams); returns
#                                 once a stream login succeeds again.
#   tests/broker.sh ctl DIR ARGS  run rabbitmqctl ARGS against the node.
#   tests/broker.sh plugins DIR ARGS  run rabbitmq-plugins ARGS against the
#                                 node (e.g. disable rabbitmq_auth_mechanism_ssl:
#                                 takes effect at once, no restart).
#
# Typical use:
#   dir=$(mktemp -d); uri=$(tests/broker.sh start "$dir") || exit 1
#   trap 'tests/broker.sh stop "$dir"' EXIT
#   . "$dir/broker.env"            # RSTREAM_TEST_URI, RSTREAM_AMQP_PORT, ...
#                                  # (plain assignments; use set -a to export)
#
# broker.env: RSTREAM_TEST_URI, RSTREAM_TEST_TLS_URI, RSTREAM_HOST,
# RSTREAM_STREAM_PORT, RSTREAM_TLS_PORT, RSTREAM_AMQP_PORT, RSTREAM_DIST_PORT,
# RSTREAM_EPMD_PORT, RSTREAM_TLS_DIR (the certificates), RSTREAM_NODE,
# RSTREAM_NODE_PID, RSTREAM_EPMD_PID, RSTREAM_LOG_DIR, RSTREAM_BROKER_DIR
# (DIR), RSTREAM_BROKER (3.10 or 4.0), RSTREAM_BROKER_VERSION (3.10.8,
# 4.0.5), RSTREAM_BROKER_ROOT ('' or the chroot), RSTREAM_NODE_DIR (the
# node's files: DIR itself for 3.10; for 4.0 inside the chroot,
# ROOT/srv/rstream-tools/NAME, since the node cannot see DIR).
#
# Every listener (AMQP 0-9-1, stream, stream over TLS, Erlang distribution,
# a private epmd) binds 127.0.0.1 on a free random port, so several nodes and
# a system RabbitMQ can coexist. guest/guest stays loopback-only (the default).
# HOME is set to the node's directory for the node and rabbitmqctl, so the
# Erlang cookie lives there: works the same for root and normal users, and
# leaves no trace.
# Readiness = PeerProperties, SASL PLAIN guest/guest, Tune and Open "/" all
# succeed on the stream port, then on the TLS port with the certificate
# verified (checked with /usr/bin/python3, stdlib only).
#
# TLS: tests/tls-certs.sh makes a CA and certificates in DIR/tls (see there;
# server.pem is for DNS:localhost only). The TLS stream listener presents
# server.pem, asks for a client certificate signed by ca.pem but does not
# require one, and offers SASL EXTERNAL (plugin rabbitmq_auth_mechanism_ssl;
# offered on every TLS connection): a client that presented a certificate
# logs in as its CN, user rstream-client (no password, so PLAIN cannot log
# it in; all permissions on /). broker.env also holds
# RSTREAM_TLS_PORT, RSTREAM_TLS_DIR (the certificates) and
# RSTREAM_TEST_TLS_URI=rabbitmq-stream+tls://guest:guest@localhost:PORT/%2f.
# The node runs from a slim RabbitMQ home, NODE_DIR/rmq: symlinks to the
# system scripts and to only the applications the node runs
# (tests/broker-lib.sh, make_slim_home); RabbitMQ itself is as Debian ships
# it. So 3.10.8 keeps its SASL EXTERNAL bug (rabbitmq-server#8488: a stream
# login with EXTERNAL crashes the connection on the broker), which 4.0.5
# does not have; tests/bats/tls.bats checks both.
# Knobs: RSTREAM_BROKER (3.10 or 4.0, above); RSTREAM_CHROOT (where the 4.0
# chroot is kept); RSTREAM_BROKER_TIMEOUT (seconds to wait for readiness,
# default 90); RSTREAM_BROKER_ALL_PLUGINS=1 (run from the system RabbitMQ
# home, every plugin on the code path).
# Diagnostics go to stderr.

set -eu

MARKER=.rstest-broker
PROBE_PID=''
SPAWNED=''
ND='' ND_IN=''
ROOTCMD=()
PROG=${0##*/}

# RMQ_BIN PY EPMD, log die now, PY_PORTS PY_PROBE, kill_tree wait_gone spawn
# shellcheck source=tests/broker-lib.sh
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/broker-lib.sh"

usage() {
	sed -n '/^# Usage:/,/^# Typical/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

# --- state -------------------------------------------------------------------

# load_env DIR: read DIR/broker.env (written by write_env) into this shell.
load_env() {
	RSTREAM_BROKER_DIR=$1
	RSTREAM_NODE_PID='' RSTREAM_EPMD_PID='' RSTREAM_NODE='' RSTREAM_EPMD_PORT=''
	RSTREAM_TLS_PORT='' RSTREAM_TLS_DIR='' RSTREAM_BROKER='' RSTREAM_BROKER_ROOT=''
	RSTREAM_NODE_DIR=$1
	# shellcheck source=/dev/null
	[ -f "$1/broker.env" ] && . "$1/broker.env"
	RSTREAM_BROKER_DIR=$1
	started_broker
	node_paths
}

# node_paths: ND, the node's directory as this shell sees it, and ND_IN, as
# the node sees it (the same for 3.10; inside the chroot for 4.0); ROOTCMD,
# the command prefix that runs a program where the node runs.
node_paths() {
	ND=$RSTREAM_NODE_DIR
	ND_IN=${ND#"$BROKER_ROOT"}
	root_cmd
}

write_env() {
	local f=$RSTREAM_BROKER_DIR/broker.env v
	{
		for v in RSTREAM_BROKER_DIR RSTREAM_TEST_URI RSTREAM_NODE \
			RSTREAM_HOST RSTREAM_STREAM_PORT RSTREAM_AMQP_PORT \
			RSTREAM_DIST_PORT RSTREAM_EPMD_PORT RSTREAM_NODE_PID \
			RSTREAM_EPMD_PID RSTREAM_LOG_DIR RSTREAM_TLS_PORT \
			RSTREAM_TLS_DIR RSTREAM_TEST_TLS_URI RSTREAM_BROKER \
			RSTREAM_BROKER_VERSION RSTREAM_BROKER_ROOT RSTREAM_NODE_DIR; do
			printf '%s=%q\n' "$v" "${!v-}"
		done
	} >"$f.tmp"
	mv -f "$f.tmp" "$f"
}

# Environment shared by the node, its epmd and rabbitmqctl (broker-lib.sh).
# OWNER_TAG marks every process we spawn (see sweep).
export_node_env() {
	export_erl_env "$ND" "$ND_IN" "$RSTREAM_NODE"
	export RABBITMQ_NODENAME=$RSTREAM_NODE
}

# sbin: where the RabbitMQ scripts are run from, as the node sees it.
sbin() { rmq_sbin "$ND" "$ND_IN"; }

# is_ours PID: PID is alive (not a zombie) and carries our owner tag.
is_ours() { is_tagged "$RSTREAM_NODE" "$1"; }

# sweep: KILL any leftover process carrying our tag (CLI helpers, a
# respawned epmd, ...). Never ourselves or our parent.
sweep() { sweep_tagged "RSTREAM_BROKER_OWNER_TAG=$RSTREAM_NODE"; }

# --- commands ----------------------------------------------------------------

# teardown [hard]: stop the node and epmd recorded in the loaded env, then
# remove the directory. "hard" skips the polite rabbitmqctl stop.
teardown() {
	local d=$RSTREAM_BROKER_DIR pid
	pid=$RSTREAM_NODE_PID
	[ -n "$pid" ] || pid=$(cat "$ND/rabbit.pid" 2>/dev/null || :)
	if [ -n "$RSTREAM_NODE" ] && is_ours "$pid"; then
		if [ "${1-}" != hard ]; then
			(export_node_env; timeout 30 "${ROOTCMD[@]}" "$(sbin)/rabbitmqctl" -n "$RSTREAM_NODE" stop) \
				>/dev/null 2>&1 </dev/null || log "rabbitmqctl stop failed; killing $pid"
			wait_gone "$pid" 20 || :
		fi
		kill_tree "$pid"
	fi
	remove_run "$RSTREAM_NODE" "$ND" "$d"
}

cmd_stop() {
	{ [ $# -eq 1 ] && [ -n "$1" ]; } || usage
	[ -e "$1" ] || return 0
	[ -f "$1/$MARKER" ] || die "$1 was not created by $PROG start; refusing to touch it"
	load_env "$1"
	teardown
}

cmd_env() {
	[ $# -eq 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	cat "$1/broker.env"
}

cmd_status() {
	[ $# -eq 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	load_env "$1"
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_STREAM_PORT" 0 5 || return 1
	if [ -n "${RSTREAM_TLS_PORT-}" ]; then
		"$PY" -c "$PY_PROBE" localhost "$RSTREAM_TLS_PORT" 0 5 "$RSTREAM_TLS_DIR/ca.pem"
	fi
}

cmd_ctl() {
	[ $# -ge 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	load_env "$1"
	shift
	export_node_env
	exec "${ROOTCMD[@]}" "$(sbin)/rabbitmqctl" -n "$RSTREAM_NODE" "$@"
}

# plugins DIR ARGS: rabbitmq-plugins ARGS against the running node. The CLI
# rewrites the node's enabled_plugins file, then has the node start or stop
# the plugins.
cmd_plugins() {
	[ $# -ge 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	load_env "$1"
	shift
	export_node_env
	export RABBITMQ_ENABLED_PLUGINS_FILE=$ND_IN/enabled_plugins
	exec "${ROOTCMD[@]}" "$(sbin)/rabbitmq-plugins" -n "$RSTREAM_NODE" "$@"
}

# restart DIR: the node stopped and started again on its own data; epmd stays.
cmd_restart() {
	[ $# -eq 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	load_env "$1"
	local pid=$RSTREAM_NODE_PID t0
	t0=$(now)
	if is_ours "$pid"; then
		(export_node_env; timeout 30 "${ROOTCMD[@]}" "$(sbin)/rabbitmqctl" -n "$RSTREAM_NODE" stop) \
			>/dev/null 2>&1 </dev/null || log "rabbitmqctl stop failed; killing $pid"
		wait_gone "$pid" 20 || kill_tree "$pid"
	fi
	spawn_in_root "$RSTREAM_LOG_DIR/server.out" export_server_env "$(sbin)/rabbitmq-server" ||
		die "cannot start the node again"
	RSTREAM_NODE_PID=$SPAWNED
	write_env
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_STREAM_PORT" "$RSTREAM_NODE_PID" \
		"${RSTREAM_BROKER_TIMEOUT:-90}" || { show_logs; die "node $RSTREAM_NODE did not come back"; }
	log "node $RSTREAM_NODE restarted in $(( ($(now) - t0) / 1000 )) ms"
}

# show_logs: tail of every log we have, to stderr.
show_logs() { show_logs_in "$RSTREAM_LOG_DIR"; }

fail_start() {
	trap - EXIT
	trap '' PIPE INT TERM HUP   # clean up even if stderr is gone
	[ -z "$PROBE_PID" ] || kill "$PROBE_PID" 2>/dev/null || :
	log "$*"
	show_logs
	teardown hard
	exit 1
}

export_server_env() {
	export_node_env
	export_rabbit_env "$ND_IN" "$RSTREAM_AMQP_PORT" "$RSTREAM_DIST_PORT"
}

cmd_start() {
	[ $# -le 1 ] || usage
	local d t0 tb ports i id timeout=${RSTREAM_BROKER_TIMEOUT:-90}
	t0=$(now)
	prepare_start "$MARKER" rstest-broker rstest "$@"
	tb=$T_READY d=$RUN_DIR id=$RUN_ID
	RSTREAM_BROKER_DIR=$d
	RSTREAM_NODE=$id@localhost
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_BROKER=$BROKER RSTREAM_BROKER_VERSION=$BROKER_VERSION RSTREAM_BROKER_ROOT=$BROKER_ROOT
	node_files "$id" "$d"
	RSTREAM_NODE_DIR=$NODE_FILES
	node_paths
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_HOST=localhost
	RSTREAM_LOG_DIR=$ND/log
	RSTREAM_NODE_PID='' RSTREAM_EPMD_PID=''
	ports=$("$PY" -c "$PY_PORTS" 5) || { rm -rf -- "$d"; die "cannot find free ports"; }
	read -r RSTREAM_AMQP_PORT RSTREAM_STREAM_PORT RSTREAM_DIST_PORT RSTREAM_EPMD_PORT \
		RSTREAM_TLS_PORT <<<"$ports"
	RSTREAM_TEST_URI="rabbitmq-stream://guest:guest@localhost:$RSTREAM_STREAM_PORT/%2f"
	RSTREAM_TLS_DIR=$d/tls
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_TEST_TLS_URI="rabbitmq-stream+tls://guest:guest@localhost:$RSTREAM_TLS_PORT/%2f"
	trap 'fail_start "interrupted"' INT TERM HUP
	trap 'fail_start "start failed"' EXIT
	write_env

	mkdir -p "$RSTREAM_LOG_DIR" "$ND/mnesia"
	node_home "$ND" "$d" "${RSTREAM_BROKER_ALL_PLUGINS:-}"
	node_secrets "$ND" "$d" || fail_start "cannot make the TLS certificates"
	echo "$TLS_PLUGINS" >"$ND/enabled_plugins"
	tls_definitions >"$ND/definitions.json"
	node_conf "$RSTREAM_AMQP_PORT" "$RSTREAM_STREAM_PORT" "$RSTREAM_TLS_PORT" \
		"$ND_IN" >"$ND/rabbitmq.conf"

	start_epmd "$RSTREAM_LOG_DIR/epmd.log" export_node_env

	spawn_in_root "$RSTREAM_LOG_DIR/server.out" export_server_env "$(sbin)/rabbitmq-server" ||
		fail_start "cannot start the node"
	RSTREAM_NODE_PID=$SPAWNED
	write_env

	# In the background so that a signal's trap runs at once.
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_STREAM_PORT" "$RSTREAM_NODE_PID" \
		"$timeout" 2>"$d/probe.err" &
	PROBE_PID=$!
	wait "$PROBE_PID" ||
		fail_start "node $RSTREAM_NODE not ready: $(cat "$d/probe.err")"
	# The TLS listener starts with the plain one; a few seconds at most.
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_TLS_PORT" "$RSTREAM_NODE_PID" 10 \
		"$RSTREAM_TLS_DIR/ca.pem" 2>"$d/probe.err" &
	PROBE_PID=$!
	wait "$PROBE_PID" ||
		fail_start "node $RSTREAM_NODE: no TLS stream login on port $RSTREAM_TLS_PORT: $(cat "$d/probe.err")"
	PROBE_PID=''
	rm -f "$d/probe.err"
	trap - INT TERM HUP EXIT
	# Start-up time, from the check of the RabbitMQ install (so without
	# building the chroot, said apart) to a verified TLS login.
	[ $((tb - t0)) -lt 1000000 ] || log "the chroot took $(( (tb - t0) / 1000 )) ms"
	log "RabbitMQ $BROKER_VERSION node $RSTREAM_NODE ready in $(( ($(now) - tb) / 1000 )) ms" \
		"(stream $RSTREAM_STREAM_PORT, tls $RSTREAM_TLS_PORT, amqp $RSTREAM_AMQP_PORT," \
		"dir $d${BROKER_ROOT:+, node files $ND})"
	printf '%s\n' "$RSTREAM_TEST_URI"
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
	restart) cmd_restart "$@" ;;
	ctl) cmd_ctl "$@" ;;
	plugins) cmd_plugins "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
