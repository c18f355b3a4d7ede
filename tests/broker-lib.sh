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

# PY_PROBE HOST PORT PID TIMEOUT [CAFILE]: RabbitMQ Stream handshake
# (PeerProperties, SaslHandshake, SaslAuthenticate PLAIN guest/guest, Tune,
# Open "/", Close). PID 0 = single attempt; otherwise retry until TIMEOUT
# while PID lives. With CAFILE, over TLS: the certificate is verified against
# CAFILE and HOST.
PY_PROBE='
import socket, struct, sys, time
host, port, pid, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cafile = sys.argv[5] if len(sys.argv) > 5 else None
if cafile:
    import ssl
    tls = ssl.create_default_context(cafile=cafile)

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
    s = socket.create_connection((host, port), timeout=5)
    if cafile:
        s = tls.wrap_socket(s, server_hostname=host)
    with s:
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

# --- a slim RabbitMQ home ------------------------------------------------------

# PY_APPS PLUGINS_DIR APP...: the directories (under PLUGINS_DIR) of the
# APPs and of every application they depend on (per their .app files).
PY_APPS='
import os, re, sys
top, dirs = sys.argv[1], {}
for d in os.listdir(top):
    name = d.rsplit("-", 1)[0]
    if os.path.isfile(os.path.join(top, d, "ebin", name + ".app")):
        dirs[name] = d
need, todo = set(), list(sys.argv[2:])
while todo:
    a = todo.pop()
    if a in need or a not in dirs:
        continue
    need.add(a)
    txt = open(os.path.join(top, dirs[a], "ebin", a + ".app")).read()
    m = re.search(r"\{applications,\s*\[([^\]]*)\]", txt)
    todo += [x.strip() for x in m.group(1).split(",") if x.strip()] if m else []
missing = [a for a in sys.argv[2:] if a not in need]
if missing:
    sys.exit("not found: %s" % " ".join(missing))
print("\n".join(sorted(dirs[a] for a in need)))
'

# make_slim_home HOME APP...: HOME, a RabbitMQ home whose plugins directory
# holds only the APPs and their dependencies (symlinks: 23 of the 70
# applications in 3.10.8, 28 of the 73 in 4.0.5). A node boots faster: the
# boot scans every application on its path. The scripts run through
# symlinks, with RABBITMQ_SCRIPTS_DIR=HOME/sbin (rabbitmq-env derives
# RABBITMQ_HOME, hence the plugin path, from it). HOME is a path on the
# host; with BROKER_ROOT set (a 4.0 node, broker_select) it lies inside the
# chroot and the symlinks point at paths as the chroot sees them. Every file
# is RabbitMQ's own, as Debian ships it: nothing is patched.
make_slim_home() {
	local h=$1 real app apps f
	shift
	real=$(dirname "$(dirname "$(readlink -f "$BROKER_ROOT$RMQ_BIN/rabbitmq-server")")")
	apps=$("$PY" -c "$PY_APPS" "$real/plugins" "$@") || return 1
	real=${real#"$BROKER_ROOT"}
	mkdir -p "$h/sbin" "$h/plugins"
	for f in "$BROKER_ROOT$real"/sbin/*; do ln -s "${f#"$BROKER_ROOT"}" "$h/sbin/"; done
	ln -s "$real/escript" "$h/escript"
	for app in $apps; do ln -s "$real/plugins/$app" "$h/plugins/"; done
}

# --- which RabbitMQ: the host's 3.10 or a Debian 13 chroot's 4.0 ---------------

# RSTREAM_BROKER chooses the RabbitMQ the test nodes run:
#   3.10 (default)  the host's Debian 12 package, rabbitmq-server 3.10.8, run
#                   from /usr/lib/rabbitmq as it is
#   4.0             Debian 13's rabbitmq-server (4.0.5), installed in a
#                   chroot that is built once with mmdebstrap (about 35 s
#                   and 250 MB; the package needs a network mirror) and kept
#                   at RSTREAM_CHROOT (default /var/cache/rstream-tools/trixie)
# A 4.0 node runs as `chroot ROOT /usr/lib/rabbitmq/bin/rabbitmq-server`, as
# root like the 3.10 one, with the chroot's epmd; its files live inside the
# chroot (ROOT/srv/rstream-tools/ID, which BROKER_ROOT$path names on the
# host) and it listens on the host's loopback like any other. ROOT/proc is
# mounted while a node of ours runs there and unmounted by the stop that
# leaves no process inside (chroot_release). Both need root.
CHROOT_DEFAULT=/var/cache/rstream-tools/trixie
CHROOT_STAMP=.rstream-tools-chroot
CHROOT_NODES=/srv/rstream-tools

# broker_select [KIND]: set BROKER (3.10 or 4.0) from KIND (default
# $RSTREAM_BROKER, else 3.10), BROKER_ROOT ('' or the chroot) and
# BROKER_VERSION ('' until broker_check).
broker_select() {
	local k=${1-${RSTREAM_BROKER:-3.10}}
	BROKER_VERSION=''
	case $k in
	'' | 3 | 3.10 | 3.10.*) BROKER=3.10 BROKER_ROOT='' ;;
	4 | 4.0 | 4.0.*) BROKER=4.0 BROKER_ROOT=$(chroot_path) ;;
	*) die "RSTREAM_BROKER=$k: say 3.10 (Debian 12's rabbitmq-server, the default) or 4.0 (Debian 13's, in a chroot)" ;;
	esac
}

# chroot_path: where the 4.0 chroot is (absolute; RSTREAM_CHROOT or the default).
chroot_path() {
	local p=${RSTREAM_CHROOT:-$CHROOT_DEFAULT}
	case $p in /*) ;; *) p=$PWD/$p ;; esac
	printf '%s' "${p%/}"
}

# rabbit_version ROOT: the version of the RabbitMQ installed under ROOT
# ('' for the host), from the name of its directory (rabbitmq_server-X.Y.Z).
rabbit_version() {
	local d
	d=$(readlink -f "$1$RMQ_BIN/rabbitmq-server" 2>/dev/null) || return 1
	d=${d%/sbin/rabbitmq-server}
	d=${d##*/rabbitmq_server-}
	[ -n "$d" ] && [ "${d#*/}" = "$d" ] && printf '%s' "$d"
}

# broker_check: RabbitMQ is there (building the chroot if it is missing or
# broken); sets BROKER_VERSION.
broker_check() {
	if [ "$BROKER" = 4.0 ]; then
		chroot_ensure || return 1
	else
		[ -x "$RMQ_BIN/rabbitmq-server" ] ||
			die "$RMQ_BIN/rabbitmq-server not found (apt-get install rabbitmq-server)"
		[ -x "$EPMD" ] || die "$EPMD not found (apt-get install erlang-base)"
	fi
	BROKER_VERSION=$(rabbit_version "$BROKER_ROOT") ||
		die "cannot tell the version of RabbitMQ in ${BROKER_ROOT:-/}"
	case $BROKER_VERSION in
	"$BROKER".*) ;;
	*) die "RSTREAM_BROKER=$BROKER but ${BROKER_ROOT:-the host} has RabbitMQ $BROKER_VERSION" ;;
	esac
}

# in_root CMD...: run CMD inside the broker's root (chroot for 4.0).
in_root() {
	if [ -n "$BROKER_ROOT" ]; then
		chroot "$BROKER_ROOT" "$@"
	else
		"$@"
	fi
}

# epmd_bin: the epmd that goes with the broker's Erlang (as the root sees it).
epmd_bin() {
	if [ -n "$BROKER_ROOT" ]; then printf '%s' /usr/bin/epmd; else printf '%s' "$EPMD"; fi
}

# chroot_lock: take (blocking, up to 15 min: a build takes about a minute)
# the lock that serialises building, mounting and unmounting the chroot,
# on fd CHROOT_LOCK_FD. chroot_unlock gives it back.
CHROOT_LOCK_FD=''
chroot_lock() {
	local root
	root=$(chroot_path)
	mkdir -p "$(dirname "$root")"
	[ -z "$CHROOT_LOCK_FD" ] || return 0
	exec {CHROOT_LOCK_FD}>>"$root.lock"
	flock -w 900 "$CHROOT_LOCK_FD" || { log "timed out waiting for $root.lock"; return 1; }
}
chroot_unlock() {
	[ -n "$CHROOT_LOCK_FD" ] || return 0
	exec {CHROOT_LOCK_FD}>&-
	CHROOT_LOCK_FD=''
}

# mounts_under DIR: the mount points at or below DIR, deepest first.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# umount_under DIR: unmount everything mounted at or below DIR.
umount_under() {
	local m
	for m in $(mounts_under "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m" || log "cannot unmount $m"
	done
}

# chroot_users ROOT: the pids of the processes whose root directory is ROOT
# (or below it), one per line.
chroot_users() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$1" | "$1"/*) printf '%s
' "${p#/proc/}" ;; esac
	done
}

# chroot_ok ROOT: ROOT is a whole chroot of ours: our stamp (written last
# by chroot_build), RabbitMQ and Erlang in place, and a program runs there.
chroot_ok() {
	[ -f "$1/$CHROOT_STAMP" ] && [ -x "$1$RMQ_BIN/rabbitmq-server" ] &&
		[ -x "$1/usr/bin/epmd" ] && [ -x "$1/usr/bin/erl" ] &&
		rabbit_version "$1" >/dev/null && chroot "$1" /bin/true 2>/dev/null
}

# chroot_build ROOT: build ROOT with mmdebstrap (in ROOT.new, then renamed),
# installing mmdebstrap first if it is missing.
chroot_build() {
	local root=$1 new=$1.new t0 v
	t0=$(now)
	[ "$(id -u)" = 0 ] || { log "building $root needs root"; return 1; }
	if ! command -v mmdebstrap >/dev/null; then
		log "installing mmdebstrap (to build $root)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >&2 ||
			{ log "cannot install mmdebstrap"; return 1; }
	fi
	umount_under "$new"
	rm -rf --one-file-system -- "$new"
	log "building $root: mmdebstrap --variant=apt --include=rabbitmq-server trixie (log in $root.log)"
	if ! mmdebstrap --variant=apt --include=rabbitmq-server trixie "$new" >"$root.log" 2>&1; then
		umount_under "$new"
		tail -n 20 "$root.log" >&2
		log "mmdebstrap failed (the whole log is $root.log)"
		return 1
	fi
	umount_under "$new"
	v=$(rabbit_version "$new") || { log "$new has no RabbitMQ after mmdebstrap"; return 1; }
	printf 'Debian 13 (trixie) with rabbitmq-server %s, built by tests/broker-lib.sh on %s\n' \
		"$v" "$(date -u +%FT%TZ)" >"$new/$CHROOT_STAMP"
	mv -T -- "$new" "$root"
	log "built $root (RabbitMQ $v) in $(( ($(now) - t0) / 1000 )) ms"
}

# chroot_ensure: the chroot exists and works: built if missing, rebuilt if
# broken (when nothing runs in it); under the lock.
chroot_ensure() {
	local root rc=0
	root=$(chroot_path)
	chroot_ok "$root" && return 0
	chroot_lock || return 1
	if ! chroot_ok "$root"; then
		if [ -e "$root" ]; then
			if [ ! -f "$root/$CHROOT_STAMP" ] && [ -n "$(ls -A -- "$root" 2>/dev/null)" ]; then
				log "$root exists but was not built here (no $CHROOT_STAMP): remove it or set RSTREAM_CHROOT"
				rc=1
			elif [ -n "$(chroot_users "$root")" ]; then
				log "$root is broken but processes run in it ($(chroot_users "$root" | tr '\n' ' '))"
				rc=1
			else
				log "$root is broken: building it again"
				umount_under "$root"
				rm -rf --one-file-system -- "$root"
			fi
		fi
		[ "$rc" != 0 ] || chroot_build "$root" || rc=1
	fi
	chroot_unlock
	return "$rc"
}

# chroot_mount: mount proc on ROOT/proc if it is not (caller holds the lock).
chroot_mount() {
	[ -n "$(mounts_under "$BROKER_ROOT/proc")" ] ||
		mount -t proc proc "$BROKER_ROOT/proc"
}

# chroot_enter PID...: wait (up to 5 s) until each PID runs inside the
# chroot (or is gone): once it does, chroot_release sees it.
chroot_enter() {
	local pid i r
	for pid in "$@"; do
		for i in $(seq 50); do
			r=$(readlink "/proc/$pid/root" 2>/dev/null) || break
			[ "$r" = "$BROKER_ROOT" ] && break
			sleep 0.1
		done
	done
}

# chroot_release: if no process runs in the chroot any more, unmount what is
# mounted in it (its /proc); also remove node directories (ROOT/srv/...)
# left behind: their owner, a directory of broker.sh or cluster.sh, is gone
# and no process carries their owner tag (ID, or ID@localhost for broker.sh).
chroot_release() {
	local root=$BROKER_ROOT n o id
	[ -n "$root" ] && [ -d "$root" ] || return 0
	chroot_lock || return 1
	for n in "$root$CHROOT_NODES"/*; do
		[ -f "$n/owner" ] || continue
		o=$(cat "$n/owner")
		id=${n##*/}
		[ ! -e "$o" ] || continue
		grep -qzxE "RSTREAM_BROKER_OWNER_TAG=$id(@localhost)?" /proc/[0-9]*/environ 2>/dev/null ||
			rm -rf --one-file-system -- "$n"
	done
	if [ -z "$(chroot_users "$root")" ]; then
		umount_under "$root"
	fi
	chroot_unlock
}

# --- TLS -----------------------------------------------------------------------

# tls_conf TLSDIR PORT: the rabbitmq.conf lines of a node's TLS stream
# listener on 127.0.0.1:PORT, with the certificates of tests/tls-certs.sh in
# TLSDIR. Clients that present a certificate signed by TLSDIR/ca.pem may log
# in with SASL EXTERNAL as the certificate's CN (the rabbitmq_auth_mechanism_ssl
# plugin, which the node must enable); a client certificate is not required.
#
# Metadata: RabbitMQ 3.10.8 advertises each node as advertised_host (its
# rabbit_stream:host/0, on TLS connections too: Metadata never calls
# tls_host/0 there, so stream.advertised_tls_host is not used) and, to a TLS
# connection, advertised_tls_port (else the port of the node's TLS
# listener), to a plain one advertised_port (read from its decompiled
# rabbit_stream_reader, and checked with a Metadata request over TLS). So a
# client that connects over TLS is sent to localhost:TLS_PORT of the leader
# or replica, which the server certificate (DNS:localhost) names.
# advertised_tls_host is set as well, for versions that use it.
tls_conf() {
	cat <<-EOF
	stream.listeners.ssl.1 = 127.0.0.1:$2
	stream.advertised_tls_host = localhost
	stream.advertised_tls_port = $2
	ssl_options.cacertfile = $1/ca.pem
	ssl_options.certfile = $1/server.pem
	ssl_options.keyfile = $1/server.key
	ssl_options.verify = verify_peer
	ssl_options.fail_if_no_peer_cert = false
	auth_mechanisms.1 = PLAIN
	auth_mechanisms.2 = AMQPLAIN
	auth_mechanisms.3 = EXTERNAL
	ssl_cert_login_from = common_name
	EOF
}

# TLS_PLUGINS: the enabled_plugins file of a node with a TLS listener.
TLS_PLUGINS='[rabbitmq_stream,rabbitmq_auth_mechanism_ssl].'

# TLS_CLIENT_USER: the user a client certificate logs in as (its CN).
TLS_CLIENT_USER=rstream-client

# tls_definitions: the definitions a node imports at boot (load_definitions):
# guest/guest as the node would make it (a node that imports users at boot
# makes no default user; the hash is of the well-known password "guest",
# salted: rabbit_password_hashing_sha256) and TLS_CLIENT_USER, with no
# password (it cannot log in with PLAIN), both with every permission on
# vhost /. Cheaper than rabbitmqctl add_user once the node is up (each
# rabbitmqctl run starts an Erlang VM: 1-2 s).
tls_definitions() {
	local h=rabbit_password_hashing_sha256 all='"configure": ".*", "write": ".*", "read": ".*"'
	cat <<-EOF
	{"vhosts": [{"name": "/"}],
	 "users": [
	  {"name": "guest", "password_hash": "9QRKeVddG9kwgIw9To0cNC3c/RVFI5PDXR1osHeFXogRR+h0",
	   "hashing_algorithm": "$h", "tags": ["administrator"]},
	  {"name": "$TLS_CLIENT_USER", "password_hash": "", "hashing_algorithm": "$h", "tags": []}],
	 "permissions": [
	  {"user": "guest", "vhost": "/", $all},
	  {"user": "$TLS_CLIENT_USER", "vhost": "/", $all}]}
	EOF
}

# --- a node's start-up: what broker.sh (one node) and cluster.sh (3) share ----
# FILES is where a node's (or the cluster's) files are as this shell sees
# them, FILES_IN as the nodes see them (the same for 3.10; inside the chroot
# for 4.0). The sourcing script also defines write_env, fail_start and
# is_ours, which start_epmd calls.

BROKER_LIB_DIR=$(cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)

# started_broker: after loading an env file: the broker it was started with
# (RSTREAM_BROKER, RSTREAM_BROKER_ROOT, whatever RSTREAM_CHROOT says now);
# ROOTCMD, the command prefix that runs a program where the nodes run.
started_broker() {
	broker_select "${RSTREAM_BROKER:-3.10}"
	BROKER_ROOT=$RSTREAM_BROKER_ROOT
	root_cmd
}

# root_cmd: ROOTCMD, for BROKER_ROOT: chroot into it, or nothing.
root_cmd() {
	ROOTCMD=()
	[ -z "$BROKER_ROOT" ] || ROOTCMD=(chroot "$BROKER_ROOT")
}

# prepare_start MARKER PREFIX ID_PREFIX [DIR]: the first steps of a start:
# the broker chosen and checked (broker_check builds the 4.0 chroot if it
# is missing, about 35 s), T_READY the time after that, the run directory
# (new_run_dir MARKER PREFIX [DIR]) in RUN_DIR, and a fresh RUN_ID.
prepare_start() {
	local marker=$1 prefix=$2 idp=$3
	shift 3
	broker_select
	[ -x "$PY" ] || die "$PY not found"
	broker_check
	T_READY=$(now)
	new_run_dir "$marker" "$prefix" "$@"
	RUN_ID=$idp-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
}

# new_run_dir MARKER PREFIX [DIR]: DIR (made if need be; it must be empty),
# or a new temporary directory PREFIX.XXXXXX; absolute, marked with MARKER
# as made by us (stop refuses any other), in RUN_DIR.
new_run_dir() {
	local marker=$1 prefix=$2 d
	shift 2
	if [ $# -eq 1 ]; then
		d=$1
		(umask 077; mkdir -p -- "$d")
		[ -z "$(ls -A -- "$d")" ] || die "$d is not empty"
	else
		d=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX")
	fi
	d=$(cd -- "$d" && pwd)
	: >"$d/$marker"
	[ -w "$d" ] || die "$d is not writable"
	RUN_DIR=$d
}

# node_files ID DIR: where the node files of run ID go, in NODE_FILES: DIR;
# for 4.0 a directory of the chroot, which names DIR as its owner.
node_files() {
	if [ -n "$BROKER_ROOT" ]; then
		NODE_FILES=$BROKER_ROOT$CHROOT_NODES/$1
		mkdir -p -- "$NODE_FILES"
		printf '%s\n' "$2" >"$NODE_FILES/owner"
	else
		NODE_FILES=$2
	fi
}

# export_erl_env FILES FILES_IN TAG: the environment shared by every
# process of a run (nodes, epmd, the CLI); TAG marks every process we spawn
# (sweep_tagged).
export_erl_env() {
	export HOME=$2
	export RSTREAM_BROKER_OWNER_TAG=$3
	export ERL_EPMD_PORT=$RSTREAM_EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
	export RABBITMQ_CONF_ENV_FILE=$2/rabbitmq-env.conf
	export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
	if [ -d "$1/rmq/sbin" ]; then
		export RABBITMQ_SCRIPTS_DIR=$2/rmq/sbin
	fi
}

# export_rabbit_env DIR_IN AMQP_PORT DIST_PORT: a node server's RABBITMQ_*
# variables, its files in DIR_IN (as it sees them).
export_rabbit_env() {
	local d=$1
	export RABBITMQ_BASE=$d \
		RABBITMQ_MNESIA_BASE=$d/mnesia \
		RABBITMQ_LOG_BASE=$d/log \
		RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf \
		RABBITMQ_CONFIG_FILES="$d/conf.d/*.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config \
		RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins \
		RABBITMQ_PID_FILE=$d/rabbit.pid \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT="$2" \
		RABBITMQ_DIST_PORT="$3" \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

# rmq_sbin FILES FILES_IN: where the RabbitMQ scripts are run from (the slim
# home, if any), as the nodes see it.
rmq_sbin() {
	if [ -d "$1/rmq/sbin" ]; then
		printf '%s' "$2/rmq/sbin"
	else
		printf '%s' "$RMQ_BIN"
	fi
}

# spawn_in_root LOG ENVFUNC CMD...: spawn CMD where the nodes run; for 4.0,
# inside the chroot, with its /proc mounted first (under the chroot lock,
# held until the process is in: chroot_release then counts it). Its pid in
# SPAWNED.
spawn_in_root() {
	local out=$1 envf=$2
	shift 2
	if [ -n "$BROKER_ROOT" ]; then
		chroot_lock || return 1
		chroot_mount || { chroot_unlock; return 1; }
		spawn "$out" "$envf" "${ROOTCMD[@]}" "$@"
		SPAWNED=$!
		chroot_enter "$SPAWNED"
		chroot_unlock
	else
		spawn "$out" "$envf" "$@"
		SPAWNED=$!
	fi
}

# node_home FILES RUN_DIR ALL: the slim RabbitMQ home in FILES/rmq, unless
# ALL is set (every plugin) or it cannot be made (said on stderr).
node_home() {
	local f=$1 d=$2
	[ -z "$3" ] || return 0
	if make_slim_home "$f/rmq.new" rabbit rabbitmq_prelaunch rabbitmq_stream \
		rabbitmq_auth_mechanism_ssl >"$d/slim.log" 2>&1; then
		mv "$f/rmq.new" "$f/rmq"
	else
		log "using all plugins: no slim RabbitMQ home"
		[ ! -s "$d/slim.log" ] || cat "$d/slim.log" >&2
		rm -rf "$f/rmq.new"
	fi
	rm -f "$d/slim.log"
}

# node_secrets FILES RUN_DIR: a fresh Erlang cookie in FILES, the TLS
# certificates in RSTREAM_TLS_DIR (under RUN_DIR), copied to FILES/tls
# when the nodes cannot see RUN_DIR; 1 if the certificates failed.
node_secrets() {
	(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F >"$1/.erlang.cookie")
	chmod 400 "$1/.erlang.cookie"
	"$BROKER_LIB_DIR/tls-certs.sh" "$RSTREAM_TLS_DIR" || return 1
	[ "$1" = "$2" ] || cp -a -- "$RSTREAM_TLS_DIR" "$1/tls"
}

# node_conf AMQP_PORT STREAM_PORT TLS_PORT FILES_IN: a node's rabbitmq.conf,
# loopback listeners, the definitions and certificates in FILES_IN.
node_conf() {
	cat <<-CONF
	listeners.tcp.default = 127.0.0.1:$1
	stream.listeners.tcp.1 = 127.0.0.1:$2
	stream.advertised_host = localhost
	stream.advertised_port = $2
	log.console = false
	load_definitions = $4/definitions.json
	CONF
	tls_conf "$4/tls" "$3"
}

# start_epmd LOG ENVFUNC: the run's private epmd, loopback only, on
# RSTREAM_EPMD_PORT (a node would otherwise spawn its own), answering;
# its pid in RSTREAM_EPMD_PID. fail_start if not.
start_epmd() {
	local i=0
	spawn_in_root "$1" "$2" "$(epmd_bin)" -port "$RSTREAM_EPMD_PORT" \
		-address 127.0.0.1 || fail_start "cannot start epmd"
	RSTREAM_EPMD_PID=$SPAWNED
	write_env
	until "${ROOTCMD[@]}" "$(epmd_bin)" -port "$RSTREAM_EPMD_PORT" -names >/dev/null 2>&1; do
		is_ours "$RSTREAM_EPMD_PID" || fail_start "epmd exited"
		i=$((i + 1))
		[ "$i" -lt 50 ] || fail_start "epmd did not come up on port $RSTREAM_EPMD_PORT"
		sleep 0.1
	done
}

# show_logs_in DIR...: the last 40 lines of each log in each DIR, on stderr.
show_logs_in() {
	local f dir
	for dir; do
		for f in "$dir"/*; do
			[ -s "$f" ] || continue
			{ printf '==> %s <==\n' "$f"; tail -n 40 "$f"; } >&2 || :
		done
	done
}

# remove_run ID FILES RUN_DIR: once the nodes are down: the run's epmd and
# any process left with its tag (when ID, the tag, is known), its node files
# in the chroot, its directory.
remove_run() {
	if [ -n "$1" ]; then
		is_ours "$RSTREAM_EPMD_PID" && kill_tree "$RSTREAM_EPMD_PID"
		sweep
	fi
	if [ -n "$BROKER_ROOT" ] && [ "$2" != "$3" ] && [ -f "$2/owner" ]; then
		rm -rf --one-file-system -- "$2"
	fi
	rm -rf -- "$3"
	chroot_release
}
