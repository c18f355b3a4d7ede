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

# erl_patch_external: prints an escript; IN.beam OUT.beam writes to OUT the
# stream reader IN (rabbit_stream_reader, rebuilt from its debug_info) with
# the fix of rabbitmq-server pull request 8488 (June 2023, in the 3.10.x,
# 3.11.x and 3.12.x releases after it); exits 3 if IN needs no fix.
# RabbitMQ 3.10.8's stream reader hands the SASL mechanism the atom
# peer_properties_exchanged as its state instead of what the mechanism's
# init/1 returns: PLAIN ignores its state, but EXTERNAL
# (rabbit_auth_mechanism_ssl) crashes on it (function_clause in
# handle_response/2) and the broker drops the connection without an answer,
# so no stream client can log in with a client certificate. The fix calls
# init/1 in that case too.
erl_patch_external() {
	cat <<'ERL'
#!/usr/bin/env escript
main([In, Out]) ->
    {ok, {Mod, [{debug_info, {debug_info_v1, Backend, Data}}]}} =
        beam_lib:chunks(In, [debug_info]),
    {ok, Forms} = Backend:debug_info(erlang_v1, Mod, Data, []),
    case fix(Forms) of
        Forms ->
            halt(3);
        Fixed ->
            {ok, Mod, Bin} = compile:forms(Fixed, [debug_info, report_errors]),
            ok = file:write_file(Out, Bin)
    end.

%% case AuthState0 of none -> M:init(S); AS -> AS end: init/1 also for
%% peer_properties_exchanged.
fix({'case', L, {var, _, 'AuthState0'} = V,
     [{clause, _, [{atom, _, none}], [], [Init]} = None | Rest]}) ->
    {'case', L, V,
     [None, {clause, L, [{atom, L, peer_properties_exchanged}], [], [Init]} | Rest]};
fix(T) when is_tuple(T) -> list_to_tuple(fix(tuple_to_list(T)));
fix(L) when is_list(L) -> [fix(X) || X <- L];
fix(X) -> X.
ERL
}

# make_slim_home HOME APP...: HOME, a RabbitMQ home whose plugins directory
# holds only the APPs and their dependencies (symlinks: 23 of the 70
# applications in 3.10.8). A node boots faster: the boot scans every
# application on its path. The scripts run through symlinks, with
# RABBITMQ_SCRIPTS_DIR=HOME/sbin (rabbitmq-env derives RABBITMQ_HOME, hence
# the plugin path, from it). If the stream reader of rabbitmq_stream has the
# SASL EXTERNAL bug (erl_patch_external), HOME gets a copy of the plugin
# (symlinks) with the fixed reader; the escript takes about 1.5 s.
make_slim_home() {
	local h=$1 real app apps f rc
	shift
	real=$(dirname "$(dirname "$(readlink -f "$RMQ_BIN/rabbitmq-server")")")
	apps=$("$PY" -c "$PY_APPS" "$real/plugins" "$@") || return 1
	mkdir -p "$h/sbin" "$h/plugins"
	for f in "$real"/sbin/*; do ln -s "$f" "$h/sbin/"; done
	ln -s "$real/escript" "$h/escript"
	for app in $apps; do
		case $app in
		rabbitmq_stream-*) ;;
		*) ln -s "$real/plugins/$app" "$h/plugins/"; continue ;;
		esac
		mkdir -p "$h/plugins/$app/ebin"
		erl_patch_external >"$h/patch-external.escript"
		rc=0
		escript "$h/patch-external.escript" \
			"$real/plugins/$app/ebin/rabbit_stream_reader.beam" \
			"$h/plugins/$app/ebin/rabbit_stream_reader.beam" \
			>"$h/patch-external.log" 2>&1 || rc=$?
		case $rc in
		0) ;;
		3) rm -f "$h/plugins/$app/ebin/rabbit_stream_reader.beam" ;;
		*) log "could not fix SASL EXTERNAL in $app: $(cat "$h/patch-external.log")"
		   rm -f "$h/plugins/$app/ebin/rabbit_stream_reader.beam" ;;
		esac
		for f in "$real/plugins/$app"/*; do
			[ "${f##*/}" = ebin ] || ln -s "$f" "$h/plugins/$app/"
		done
		for f in "$real/plugins/$app"/ebin/*; do
			[ -e "$h/plugins/$app/ebin/${f##*/}" ] || ln -s "$f" "$h/plugins/$app/ebin/"
		done
	done
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
