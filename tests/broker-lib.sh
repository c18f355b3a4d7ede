# broker-lib.sh - shell code shared by tests/broker.sh (one private RabbitMQ
# node) and tests/cluster.sh (a private 3-node cluster). Sourced, not run:
# it defines constants and functions and starts nothing.
#
# The sourcing script sets PROG (for log) and defines the owner test it uses
# (is_ours PID); kill_tree and wait_gone call it.
# shellcheck shell=bash disable=SC2034 # the constants are used by the sourcing scripts

RMQ_BIN=/usr/lib/rabbitmq/bin
PY=/usr/bin/python3
EPMD=/usr/bin/epmd

log() { printf '%s: %s\n' "$PROG" "$*" >&2 || :; }
die() { log "$*"; exit 1; }

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

# --- processes ---------------------------------------------------------------

# is_tagged TAG PID: PID is alive (not a zombie) and its environment carries
# RSTREAM_BROKER_OWNER_TAG=TAG.
is_tagged() {
	[ -n "$2" ] && grep -qzxF "RSTREAM_BROKER_OWNER_TAG=$1" \
		"/proc/$2/environ" 2>/dev/null
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

# kill_tree PID [GRACE]: TERM, then KILL, its process group (it is a session
# leader), waiting GRACE seconds (default 10) after each.
kill_tree() {
	local pid=$1 grace=${2:-10} sig
	for sig in TERM KILL; do
		is_ours "$pid" || return 0
		kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null || :
		wait_gone "$pid" "$grace" && return 0
	done
	log "process $pid survived SIGKILL"
}

# sweep_tagged VAR=VALUE: KILL any leftover process whose environment holds
# VAR=VALUE (CLI helpers, a respawned epmd, ...). Never ourselves or our parent.
sweep_tagged() {
	local f pid
	grep -lzxF "$1" /proc/[0-9]*/environ 2>/dev/null |
	while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = $$ ] || [ "$pid" = "$PPID" ] && continue
		log "killing stray process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
		kill -s KILL "$pid" 2>/dev/null || :
	done
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
