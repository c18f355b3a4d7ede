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
#
# Typical use:
#   dir=$(mktemp -d); uri=$(tests/broker.sh start "$dir") || exit 1
#   trap 'tests/broker.sh stop "$dir"' EXIT
#   . "$dir/broker.env"            # RSTREAM_TEST_URI, RSTREAM_AMQP_PORT, ...
#                                  # (plain assignments; use set -a to export)
#
# Every listener (AMQP 0-9-1, stream, Erlang distribution, a private epmd)
# binds 127.0.0.1 on a free random port, so several nodes and a system
# RabbitMQ can coexist. guest/guest stays loopback-only (the default).
# HOME is set to DIR for the node and rabbitmqctl, so the Erlang cookie lives
# in DIR: works the same for root and normal users, and leaves no trace.
# Readiness = PeerProperties, SASL PLAIN guest/guest, Tune and Open "/" all
# succeed on the stream port (checked with /usr/bin/python3, stdlib only).
# Knobs: RSTREAM_BROKER_TIMEOUT (seconds to wait for readiness, default 90).
# Diagnostics go to stderr.

set -eu

RMQ_BIN=/usr/lib/rabbitmq/bin
PY=/usr/bin/python3
EPMD=/usr/bin/epmd
MARKER=.rstest-broker
PROBE_PID=''
PROG=${0##*/}

log() { printf '%s: %s\n' "$PROG" "$*" >&2 || :; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '/^# Usage:/,/^# Typical/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }   # microseconds

# --- python helpers (stdlib only) -------------------------------------------

# PY_PORTS N: print N distinct free TCP ports on 127.0.0.1 (20000-32767,
# below the kernel's ephemeral range), verified by binding them.
PY_PORTS='
import random, socket, sys
n, got = int(sys.argv[1]), []
for p in random.sample(range(20000, 32768), 2000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    got.append(p)
    if len(got) == n:
        print(" ".join(map(str, got)))
        sys.exit(0)
sys.exit("no free ports found")
'

# PY_PROBE HOST PORT PID TIMEOUT: RabbitMQ Stream handshake (PeerProperties,
# SaslHandshake, SaslAuthenticate PLAIN guest/guest, Tune, Open "/", Close).
# PID 0 = single attempt; otherwise retry until TIMEOUT while PID lives.
PY_PROBE='
import socket, struct, sys, time
host, port, pid, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

def frame(key, corr, body=b""):
    p = struct.pack(">HHI", key, 1, corr) + body
    return struct.pack(">I", len(p)) + p

def string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            raise EOFError("connection closed by broker")
        buf += c
    return buf

def read_frame(s):
    (n,) = struct.unpack(">I", recv_exact(s, 4))
    return recv_exact(s, n)

def call(s, key, corr, body=b""):
    s.sendall(frame(key, corr, body))
    p = read_frame(s)
    k, _, c, code = struct.unpack(">HHIH", p[:10])
    if (k, c, code) != (key | 0x8000, corr, 1):
        raise RuntimeError("key 0x%04x: got key 0x%04x corr %d code %d" % (key, k, c, code))
    return p[10:]

def handshake():
    with socket.create_connection((host, port), timeout=5) as s:
        call(s, 0x11, 1, struct.pack(">i", 0))                   # PeerProperties
        rest = call(s, 0x12, 2)                                    # SaslHandshake
        (cnt,), off, mechs = struct.unpack(">i", rest[:4]), 4, []
        for _ in range(cnt):
            (l,) = struct.unpack(">h", rest[off:off + 2])
            mechs.append(rest[off + 2:off + 2 + l].decode())
            off += 2 + l
        if "PLAIN" not in mechs:
            raise RuntimeError("no PLAIN mechanism: %r" % mechs)
        cred = b"\0guest\0guest"
        call(s, 0x13, 3, string("PLAIN") + struct.pack(">i", len(cred)) + cred)
        t = read_frame(s)                                          # Tune from broker
        if struct.unpack(">H", t[:2])[0] != 0x14:
            raise RuntimeError("expected Tune, got key 0x%04x" % struct.unpack(">H", t[:2]))
        s.sendall(struct.pack(">I", len(t)) + t)                   # accept its values
        call(s, 0x15, 4, string("/"))                              # Open vhost /
        call(s, 0x16, 5, struct.pack(">H", 1) + string("ok"))      # Close

def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False

deadline, last = time.monotonic() + timeout, "none"
while True:
    if pid and not alive(pid):
        sys.exit("node process %d exited (last probe error: %s)" % (pid, last))
    try:
        handshake()
        sys.exit(0)
    except Exception as e:
        last = "%s: %s" % (type(e).__name__, e)
    if not pid or time.monotonic() > deadline:
        sys.exit("stream handshake failed after %ss: %s" % (timeout, last))
    time.sleep(0.2)
'

# --- state -------------------------------------------------------------------

# load_env DIR: read DIR/broker.env (written by write_env) into this shell.
load_env() {
	RSTREAM_BROKER_DIR=$1
	RSTREAM_NODE_PID='' RSTREAM_EPMD_PID='' RSTREAM_NODE='' RSTREAM_EPMD_PORT=''
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
			RSTREAM_EPMD_PID RSTREAM_LOG_DIR; do
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
}

# is_ours PID: PID is alive (not a zombie) and carries our owner tag.
is_ours() {
	[ -n "$1" ] && grep -qzxF "RSTREAM_BROKER_OWNER_TAG=$RSTREAM_NODE" \
		"/proc/$1/environ" 2>/dev/null
}

# wait_gone PID SECONDS
wait_gone() {
	local i=0
	while is_ours "$1"; do
		[ "$i" -lt $(($2 * 10)) ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# kill_tree PID: TERM, then KILL, its process group (it is a session leader).
kill_tree() {
	local pid=$1 sig
	for sig in TERM KILL; do
		is_ours "$pid" || return 0
		kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null || :
		wait_gone "$pid" 10 && return 0
	done
	log "process $pid survived SIGKILL"
}

# sweep: KILL any leftover process carrying our tag (CLI helpers, a
# respawned epmd, ...). Never ourselves or our parent.
sweep() {
	local f pid
	grep -lzxF "RSTREAM_BROKER_OWNER_TAG=$RSTREAM_NODE" \
		/proc/[0-9]*/environ 2>/dev/null |
	while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = $$ ] || [ "$pid" = "$PPID" ] && continue
		log "killing stray process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
		kill -s KILL "$pid" 2>/dev/null || :
	done
}

# --- commands ----------------------------------------------------------------

# teardown [hard]: stop the node and epmd recorded in the loaded env, then
# remove the directory. "hard" skips the polite rabbitmqctl stop.
teardown() {
	local d=$RSTREAM_BROKER_DIR pid
	pid=$RSTREAM_NODE_PID
	[ -n "$pid" ] || pid=$(cat "$d/rabbit.pid" 2>/dev/null || :)
	if [ -n "$RSTREAM_NODE" ] && is_ours "$pid"; then
		if [ "${1-}" != hard ]; then
			(export_node_env; timeout 30 "$RMQ_BIN/rabbitmqctl" -n "$RSTREAM_NODE" stop) \
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
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_STREAM_PORT" 0 5
}

cmd_ctl() {
	[ $# -ge 1 ] || usage
	[ -f "$1/broker.env" ] || die "no broker.env in $1"
	load_env "$1"
	shift
	export_node_env
	exec "$RMQ_BIN/rabbitmqctl" -n "$RSTREAM_NODE" "$@"
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
	log "$*"
	show_logs
	teardown hard
	exit 1
}

# spawn LOGFILE ENVFUNC CMD...: run CMD, with ENVFUNC applied to its
# environment, in its own session, detached from our stdio and any other
# inherited descriptor. Its pid (== session and process group id) is $!.
spawn() {
	local out=$1 envfunc=$2 fd
	shift 2
	(
		"$envfunc"
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec setsid "$@" </dev/null >>"$out" 2>&1
	) &
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
	ports=$("$PY" -c "$PY_PORTS" 4) || { rm -rf -- "$d"; die "cannot find free ports"; }
	read -r RSTREAM_AMQP_PORT RSTREAM_STREAM_PORT RSTREAM_DIST_PORT RSTREAM_EPMD_PORT <<<"$ports"
	RSTREAM_TEST_URI="rabbitmq-stream://guest:guest@localhost:$RSTREAM_STREAM_PORT/%2f"
	trap 'fail_start "interrupted"' INT TERM HUP
	trap 'fail_start "start failed"' EXIT

	mkdir -p "$RSTREAM_LOG_DIR" "$d/mnesia"
	(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F >"$d/.erlang.cookie")
	chmod 400 "$d/.erlang.cookie"
	echo '[rabbitmq_stream].' >"$d/enabled_plugins"
	cat >"$d/rabbitmq.conf" <<-EOF
	listeners.tcp.default = 127.0.0.1:$RSTREAM_AMQP_PORT
	stream.listeners.tcp.1 = 127.0.0.1:$RSTREAM_STREAM_PORT
	stream.advertised_host = localhost
	stream.advertised_port = $RSTREAM_STREAM_PORT
	log.console = false
	EOF
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

	spawn "$RSTREAM_LOG_DIR/server.out" export_server_env "$RMQ_BIN/rabbitmq-server"
	RSTREAM_NODE_PID=$!
	write_env

	# In the background so that a signal's trap runs at once.
	"$PY" -c "$PY_PROBE" localhost "$RSTREAM_STREAM_PORT" "$RSTREAM_NODE_PID" \
		"$timeout" 2>"$d/probe.err" &
	PROBE_PID=$!
	wait "$PROBE_PID" ||
		fail_start "node $RSTREAM_NODE not ready: $(cat "$d/probe.err")"
	PROBE_PID=''
	rm -f "$d/probe.err"
	trap - INT TERM HUP EXIT
	log "node $RSTREAM_NODE ready in $(( ($(now) - t0) / 1000 )) ms" \
		"(stream $RSTREAM_STREAM_PORT, amqp $RSTREAM_AMQP_PORT, dir $d)"
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
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
