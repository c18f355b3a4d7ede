#!/bin/bash
# broker.sh - start/stop a private, throw-away RabbitMQ node (Debian's
# rabbitmq-server 3.10 package) with the rabbitmq_stream plugin, for tests
# and demos.
#
# Usage:
#   tests/broker.sh start [DIR]   start a node; DIR (default: mktemp -d) must
#                                 be missing or empty and holds everything.
#                                 Prints one line on stdout, the URI:
#                                   rabbitmq-stream://guest:guest@localhost:PORT/%2f
#                                 and writes DIR/broker.env (sourceable).
#   tests/broker.sh stop DIR      stop the node and its epmd, remove DIR
#                                 (idempotent; fine if the node already died).
#   tests/broker.sh env DIR       print DIR/broker.env.
#   tests/broker.sh status DIR    exit 0 if a stream login succeeds now.
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
# Every listener (AMQP 0-9-1, stream, stream over TLS, Erlang distribution,
# a private epmd) binds 127.0.0.1 on a free random port, so several nodes and
# a system RabbitMQ can coexist. guest/guest stays loopback-only (the default).
# HOME is set to DIR for the node and rabbitmqctl, so the Erlang cookie lives
# in DIR: works the same for root and normal users, and leaves no trace.
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
# The node runs from a slim RabbitMQ home, DIR/rmq: symlinks to the system
# scripts and to only the applications the node runs (tests/broker-lib.sh,
# make_slim_home), with 3.10.8's SASL EXTERNAL bug of the stream plugin fixed
# there (erl_patch_external): without the fix, a stream login with EXTERNAL
# crashes the connection on the broker.
# Knobs: RSTREAM_BROKER_TIMEOUT (seconds to wait for readiness, default 90);
# RSTREAM_BROKER_ALL_PLUGINS=1 (run from the system RabbitMQ home, every
# plugin on the code path, no fix).
# Diagnostics go to stderr.

set -eu

MARKER=.rstest-broker
PROBE_PID=''
SLIM_PID=''
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
	RSTREAM_TLS_PORT='' RSTREAM_TLS_DIR=''
	# shellcheck source=/dev/null
	[ -f "$1/broker.env" ] && . "$1/broker.env"
	RSTREAM_BROKER_DIR=$1
}

write_env() {
	local f=$RSTREAM_BROKER_DIR/broker.env v
	{
		for v in RSTREAM_BROKER_DIR RSTREAM_TEST_URI RSTREAM_NODE \
			RSTREAM_HOST RSTREAM_STREAM_PORT RSTREAM_AMQP_PORT \
			RSTREAM_DIST_PORT RSTREAM_EPMD_PORT RSTREAM_NODE_PID \
			RSTREAM_EPMD_PID RSTREAM_LOG_DIR RSTREAM_TLS_PORT \
			RSTREAM_TLS_DIR RSTREAM_TEST_TLS_URI; do
			printf '%s=%q\n' "$v" "${!v-}"
		done
	} >"$f.tmp"
	mv -f "$f.tmp" "$f"
}

# Environment shared by the node, its epmd and rabbitmqctl.
# OWNER_TAG marks every process we spawn (see sweep).
export_node_env() {
	local d=$RSTREAM_BROKER_DIR
	export HOME=$d
	export RSTREAM_BROKER_OWNER_TAG=$RSTREAM_NODE
	export ERL_EPMD_PORT=$RSTREAM_EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
	export RABBITMQ_NODENAME=$RSTREAM_NODE
	export RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf
	export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
	if [ -d "$d/rmq/sbin" ]; then
		export RABBITMQ_SCRIPTS_DIR=$d/rmq/sbin
	fi
}

# sbin: where the RabbitMQ scripts are run from (the slim home, if any).
sbin() {
	if [ -d "$RSTREAM_BROKER_DIR/rmq/sbin" ]; then
		printf '%s' "$RSTREAM_BROKER_DIR/rmq/sbin"
	else
		printf '%s' "$RMQ_BIN"
	fi
}

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
	[ -n "$pid" ] || pid=$(cat "$d/rabbit.pid" 2>/dev/null || :)
	if [ -n "$RSTREAM_NODE" ] && is_ours "$pid"; then
		if [ "${1-}" != hard ]; then
			(export_node_env; timeout 30 "$(sbin)/rabbitmqctl" -n "$RSTREAM_NODE" stop) \
				>/dev/null 2>&1 </dev/null || log "rabbitmqctl stop failed; killing $pid"
			wait_gone "$pid" 20 || :
		fi
		kill_tree "$pid"
	fi
	if [ -n "$RSTREAM_NODE" ]; then
		is_ours "$RSTREAM_EPMD_PID" && kill_tree "$RSTREAM_EPMD_PID"
		sweep
	fi
	rm -rf -- "$d"
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
	exec "$(sbin)/rabbitmqctl" -n "$RSTREAM_NODE" "$@"
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
	export RABBITMQ_ENABLED_PLUGINS_FILE=$RSTREAM_BROKER_DIR/enabled_plugins
	exec "$(sbin)/rabbitmq-plugins" -n "$RSTREAM_NODE" "$@"
}

# show_logs: tail of every log we have, to stderr.
show_logs() {
	local f
	for f in "$RSTREAM_LOG_DIR"/*; do
		[ -s "$f" ] || continue
		{ printf '==> %s <==\n' "$f"; tail -n 40 "$f"; } >&2 || :
	done
}

fail_start() {
	trap - EXIT
	trap '' PIPE INT TERM HUP   # clean up even if stderr is gone
	[ -z "$PROBE_PID" ] || kill "$PROBE_PID" 2>/dev/null || :
	[ -z "$SLIM_PID" ] || { kill "$SLIM_PID" 2>/dev/null; wait "$SLIM_PID"; } || :
	log "$*"
	show_logs
	teardown hard
	exit 1
}

export_server_env() {
	local d=$RSTREAM_BROKER_DIR
	export_node_env
	export RABBITMQ_BASE=$d \
		RABBITMQ_MNESIA_BASE=$d/mnesia \
		RABBITMQ_LOG_BASE=$RSTREAM_LOG_DIR \
		RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf \
		RABBITMQ_CONFIG_FILES="$d/conf.d/*.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config \
		RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins \
		RABBITMQ_PID_FILE=$d/rabbit.pid \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT=$RSTREAM_AMQP_PORT \
		RABBITMQ_DIST_PORT=$RSTREAM_DIST_PORT \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

cmd_start() {
	[ $# -le 1 ] || usage
	local d t0 ports i timeout=${RSTREAM_BROKER_TIMEOUT:-90}
	t0=$(now)
	[ -x "$RMQ_BIN/rabbitmq-server" ] || die "$RMQ_BIN/rabbitmq-server not found (apt-get install rabbitmq-server)"
	[ -x "$PY" ] || die "$PY not found"
	if [ $# -eq 1 ]; then
		d=$1
		(umask 077; mkdir -p -- "$d")
		[ -z "$(ls -A -- "$d")" ] || die "$d is not empty"
	else
		d=$(mktemp -d "${TMPDIR:-/tmp}/rstest-broker.XXXXXX")
	fi
	d=$(cd -- "$d" && pwd)
	: >"$d/$MARKER"
	[ -w "$d" ] || die "$d is not writable"

	RSTREAM_BROKER_DIR=$d
	RSTREAM_NODE=rstest-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')@localhost
	# shellcheck disable=SC2034 # written by write_env
	RSTREAM_HOST=localhost
	RSTREAM_LOG_DIR=$d/log
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

	mkdir -p "$RSTREAM_LOG_DIR" "$d/mnesia"
	# The slim home takes longest (the SASL EXTERNAL fix is compiled): in
	# the background, while the rest is set up.
	if [ -z "${RSTREAM_BROKER_ALL_PLUGINS:-}" ]; then
		make_slim_home "$d/rmq.new" rabbit rabbitmq_prelaunch rabbitmq_stream \
			rabbitmq_auth_mechanism_ssl >"$d/slim.log" 2>&1 &
		SLIM_PID=$!
	fi
	(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F >"$d/.erlang.cookie")
	chmod 400 "$d/.erlang.cookie"
	"$(dirname -- "$(readlink -f -- "$0")")/tls-certs.sh" "$RSTREAM_TLS_DIR" ||
		fail_start "cannot make the TLS certificates"
	echo "$TLS_PLUGINS" >"$d/enabled_plugins"
	tls_definitions >"$d/definitions.json"
	{
		cat <<-EOF
		listeners.tcp.default = 127.0.0.1:$RSTREAM_AMQP_PORT
		stream.listeners.tcp.1 = 127.0.0.1:$RSTREAM_STREAM_PORT
		stream.advertised_host = localhost
		stream.advertised_port = $RSTREAM_STREAM_PORT
		log.console = false
		load_definitions = $d/definitions.json
		EOF
		tls_conf "$RSTREAM_TLS_DIR" "$RSTREAM_TLS_PORT"
	} >"$d/rabbitmq.conf"
	write_env

	# Private epmd, loopback only; the node would otherwise spawn its own.
	spawn "$RSTREAM_LOG_DIR/epmd.log" export_node_env "$EPMD" -port "$RSTREAM_EPMD_PORT" -address 127.0.0.1
	RSTREAM_EPMD_PID=$!
	write_env
	i=0
	until "$EPMD" -port "$RSTREAM_EPMD_PORT" -names >/dev/null 2>&1; do
		is_ours "$RSTREAM_EPMD_PID" || fail_start "epmd exited"
		i=$((i + 1))
		[ "$i" -lt 50 ] || fail_start "epmd did not come up on port $RSTREAM_EPMD_PORT"
		sleep 0.1
	done

	if [ -n "$SLIM_PID" ]; then
		if wait "$SLIM_PID"; then
			mv "$d/rmq.new" "$d/rmq"
		else
			log "using all plugins: no slim RabbitMQ home"
			rm -rf "$d/rmq.new"
		fi
		SLIM_PID=''
	fi
	[ ! -s "$d/slim.log" ] || cat "$d/slim.log" >&2
	rm -f "$d/slim.log"
	spawn "$RSTREAM_LOG_DIR/server.out" export_server_env "$(sbin)/rabbitmq-server"
	RSTREAM_NODE_PID=$!
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
	log "node $RSTREAM_NODE ready in $(( ($(now) - t0) / 1000 )) ms" \
		"(stream $RSTREAM_STREAM_PORT, tls $RSTREAM_TLS_PORT, amqp $RSTREAM_AMQP_PORT, dir $d)"
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
	ctl) cmd_ctl "$@" ;;
	plugins) cmd_plugins "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
