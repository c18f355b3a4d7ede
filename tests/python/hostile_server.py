#!/usr/bin/python3
"""A hostile RabbitMQ stream "broker" for tests/bats/hostile.bats.

usage: hostile_server.py SCENARIO [--at STAGE] [--heartbeat N] [--hold S]
                         [--lifetime S] [--redirect] [--seed N --frame N]
                         [--tls-cert PEM --tls-key PEM [--tls-record N]
                          [--tls-close notify|abrupt|mid-record]]
       hostile_server.py list        (the scenarios, one a line)

Listens on 127.0.0.1 on an ephemeral port, prints the port on stdout (one
line), then plays a RabbitMQ 3.10.8 stream broker well enough for
rstream-cat and rstream-tail to get where the scenario misbehaves:
PeerProperties, SaslHandshake (PLAIN), SaslAuthenticate, Tune (1048576 /
heartbeat), Open (advertised localhost:PORT), Metadata (one broker, the
asked stream with leader 0), then DeclarePublisher and Publish for
rstream-cat, Subscribe / Deliver / Unsubscribe for rstream-tail.

Only what a real broker cannot produce is simulated here. Generic frame
faults (size0, size3, size_huge, unknown_key, unknown_corr, short_response,
eof_mid_frame, close, close_reason_control, announce_max_deliver,
heartbeat_only, silent) are sent in place of the reply the client waits for
at STAGE:

  peer      the PeerProperties response (handshake)
  open      the Open response (after Tune)
  metadata  the first Metadata response
  work      rstream-cat: the confirm of the first Publish;
            rstream-tail: the chunks of the main subscription (id 0)

Other scenarios have a fixed place (see SCENARIOS below); "ok" misbehaves
nowhere, and "mutate" damages the --frame'th frame sent on a connection in a
way --seed picks (a flipped bit, a boundary value, a truncation). After misbehaving
the server "holds": it reads and discards what the client sends (answering
a client Close so a polite client can leave) for --hold seconds, then
closes. The whole process exits after --lifetime seconds whatever happens,
so a test can never hang on it. Stdlib only; each connection is served by
its own thread (a tool may open a second connection to the leader: with
--redirect the first connection's Metadata makes it do so, and only that
second connection misbehaves).

With --tls-cert and --tls-key every connection is TLS (python3's ssl over
memory BIOs, so this file decides what goes on the wire): the same
scenarios, the same frames, but each frame is cut into TLS records of
random sizes (1 to --tls-record bytes of plaintext, default 512; a seeded
generator, so a run is repeatable), so frames straddle records and records
hold pieces of several frames. How a connection ends (--tls-close): "notify"
(the default) sends close_notify first, as a TLS server does; "abrupt"
just closes the socket (a truncation: no close_notify); "mid-record" is
"abrupt", and eof_mid_frame's half frame is sent as a whole record of which
only the first half of the bytes go out, so the client is left inside a
record. A client that leaves politely (Close) always gets close_notify.

Two scenarios are for the other mismatch, a plain server where the client
expects TLS: "mute" accepts and never reads nor writes (until --hold), and
"babble" sends stream frames (Tune, Heartbeat) as soon as it accepts, before
the client said anything. (Any scenario without --tls-cert is a plain
server too: it takes the ClientHello for a frame of 369 MB and hangs up.)
"""

import argparse
import os
import random
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import zlib

# Command keys (PROTOCOL.adoc).
DECLARE_PUBLISHER = 0x0001
PUBLISH = 0x0002
PUBLISH_CONFIRM = 0x0003
PUBLISH_ERROR = 0x0004
SUBSCRIBE = 0x0007
DELIVER = 0x0008
CREDIT = 0x0009
UNSUBSCRIBE = 0x000C
CREATE = 0x000D
METADATA = 0x000F
PEER_PROPERTIES = 0x0011
SASL_HANDSHAKE = 0x0012
SASL_AUTHENTICATE = 0x0013
TUNE = 0x0014
OPEN = 0x0015
CLOSE = 0x0016
HEARTBEAT = 0x0017
RESPONSE = 0x8000

STORE_OFFSET = 0x000A
QUERY_OFFSET = 0x000B
ROUTE = 0x0018
PARTITIONS = 0x0019
CONSUMER_UPDATE = 0x001A
EXCHANGE_COMMAND_VERSIONS = 0x001B
NO_OFFSET = 0x13
OK = 0x01
INTERNAL_ERROR = 0x0F

# Scenario -> default stage for the generic ones, None for fixed-place ones.
GENERIC = {
    "size0": "work",
    "size3": "work",
    "size_huge": "work",
    "unknown_key": "work",
    "unknown_corr": "metadata",
    "short_response": "metadata",
    "eof_mid_frame": "work",
    "close": "work",
    "heartbeat_only": "metadata",
    "silent": "work",
    "close_reason_control": "work",
    "announce_max_deliver": "work",
}

SCENARIOS = {
    # A well-behaved peer, to check the harness itself.
    "ok": "no fault: tail gets r0 r1 r2, cat gets its confirms",
    "mute": "accept, then neither read nor write until --hold is over",
    "babble": "send Tune and Heartbeat frames at once, unasked, then hold",
    "mutate": "damage the --frame'th frame sent as --seed says (fuzzing)",
    # Handshake.
    "mechanisms_past_frame": "SaslHandshake response: a mechanism string runs past the frame",
    "mechanisms_count": "SaslHandshake response: 2^31-1 mechanisms in a few bytes",
    "peer_map_past_frame": "PeerProperties response: a map string runs past the frame",
    "open_map_past_frame": "Open response: advertised_host's length runs past the frame",
    "tune_short": "Tune with a 4-byte body",
    "tune_tiny_frame_max": "Tune with frame_max 100",
    "tune_early": "Tune sent before SaslAuthenticate was answered",
    # Metadata.
    "metadata_string_past_frame": "Metadata response: the broker host length runs past the frame",
    "metadata_count": "Metadata response: 2^31-1 brokers in a few bytes",
    "metadata_replicas_count": "Metadata response: 2^31-1 replicas in a few bytes",
    "metadata_bad_leader": "Metadata response: the leader is broker 7, not in the broker table",
    # Deliver (rstream-tail).
    "deliver_bad_crc": "a chunk whose CRC-32 does not match its data",
    "deliver_counts_disagree": "records field 3, entries walked give 2",
    "deliver_entries_exceed_records": "3 entries but records field 2",
    "deliver_entry_past_data": "an entry size running past the chunk data",
    "deliver_data_len_past": "data length larger than the bytes in the Deliver",
    "deliver_truncated_header": "a Deliver whose chunk is 20 bytes (header is 48)",
    "deliver_truncated_header_snap": "the same, on the end-measuring subscription",
    "deliver_bad_magic": "a chunk starting with 0x42",
    "deliver_empty": "a Deliver with no body at all (no subscription id)",
    "deliver_subentry_past": "a sub-entry batch claiming more records than it holds",
    "deliver_offset_wrap": "a chunk at first offset 2^64-2 holding 4 records",
    "close_mid_delivery": "first chunk delivered, then a server Close before the last",
    # Publish confirms (rstream-cat).
    "confirm_unknown_publisher": "PublishConfirm for publisher 7",
    "confirm_hostile_count": "PublishConfirm claiming 2^31-1 ids in 8 bytes",
    "confirm_negative_count": "PublishConfirm with count 0xFFFFFFFF",
    "confirm_stray_ids": "PublishConfirm for ids never published, then silence",
    "error_hostile_count": "PublishError claiming 1000 ids in 10 bytes",
    # Filtering (3.13+): the server says 3.13.0 and lists Publish v2.
    "filter": "3.13.0 with Publish v2: a Subscribe with filter.0 gets a "
              "chunk of records with the filter value eu, us, none, eu as a "
              "message annotation, an integer, a malformed map, eu as binary; "
              "Publish v2 filter values are logged",
    "filter_unlisted": "3.13.0 without Publish v2 in ExchangeCommandVersions "
                       "(the stream_filtering feature flag off)",
    # Super streams (3.13.0): Partitions and Route, for both tools; the one
    # partition is s-0.
    "partitions_malformed": "Partitions response: a partition name runs past the frame",
    "partitions_empty": "Partitions response: no partitions",
    "partitions_huge": "Partitions response: 2^31-1 partitions in a few bytes",
    "partitions_nul": "Partitions response: a partition name with a NUL byte",
    "route_malformed": "Route response: a stream name runs past the frame",
    "route_no_stream": "Route response: no stream",
    "route_huge": "Route response: 2^31-1 streams in a few bytes",
    "route_nul": "Route response: a stream name with a NUL byte",
    # Single active consumer (3.13.0): rstream-tail -N g --single-active.
    "cu": "ConsumerUpdate active (its answer logged), chunk r0 r1 r2, then "
          "ConsumerUpdate inactive (whether a StoreOffset came before the "
          "answer logged), then chunk r3 r4 r5, which must not be printed",
    "cu_malformed": "a ConsumerUpdate with a correlation id only",
    "cu_unknown_sub": "a ConsumerUpdate for subscription 77",
    # Deliver v2 (3.13.0, Deliver 1..2 listed): the committed chunk id.
    "deliver_v2": "chunk r0 r1 r2 in a Deliver v2",
    "deliver_v2_short": "a Deliver v2 of 5 bytes (the committed chunk id cut)",
}
SCENARIOS.update({k: "generic fault at --at STAGE (default %s)" % v
                  for k, v in GENERIC.items()})

STAGES = ("peer", "open", "metadata", "work")


def log(*args):
    print("hostile_server:", *args, file=sys.stderr, flush=True)


# ---- encoding -----------------------------------------------------------

def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def string(s):
    b = s.encode() if isinstance(s, str) else s
    return u16(len(b)) + b


def strmap(pairs):
    return u32(len(pairs)) + b"".join(string(k) + string(v) for k, v in pairs)


def frame(key, body, version=1):
    payload = u16(key) + u16(version) + body
    return u32(len(payload)) + payload


def response(key, corr, code=OK, extra=b""):
    return frame(key | RESPONSE, u32(corr) + u16(code) + extra)


def chunk(first_offset, records, entries=None, nrecords=None, crc=None,
          data_len=None, magic=0x50, raw_entries=None):
    """An osiris chunk: 48-byte header + data (simple entries)."""
    if raw_entries is None:
        data = b"".join(u32(len(r)) + r for r in records)
        nentries = len(records) if entries is None else entries
    else:
        data = raw_entries
        nentries = entries
    if nrecords is None:
        nrecords = len(records)
    if crc is None:
        crc = zlib.crc32(data)
    if data_len is None:
        data_len = len(data)
    header = (u8(magic) + u8(0) + u16(nentries) + u32(nrecords) +
              u64(int(time.time() * 1000)) + u64(1) + u64(first_offset) +
              u32(crc) + u32(data_len) + u32(0) + u8(0) + b"\0\0\0")
    assert len(header) == 48
    return header + data


def deliver(subid, chunk_bytes):
    return frame(DELIVER, u8(subid) + chunk_bytes)


# ---- connection ---------------------------------------------------------

class Gone(Exception):
    """The client closed the connection (or we did)."""


class Polite(Gone):
    """The client sent Close and got its reply."""


class TLSSock:
    """The server side of a TLS session over a connected socket, with the
    few socket methods Conn uses (recv, sendall, settimeout, close). Built
    on memory BIOs so that records can be cut to any size, and a record
    sent only in part."""

    def __init__(self, raw, ctx, record, seed):
        self.raw = raw
        self.inc = ssl.MemoryBIO()
        self.out = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)
        self.record = record
        self.rnd = random.Random(seed)

    def settimeout(self, t):
        self.raw.settimeout(t)

    def _flush(self):
        data = self.out.read()
        if data:
            self.raw.sendall(data)

    def _fill(self):
        """Ciphertext from the socket into OpenSSL; False at EOF."""
        data = self.raw.recv(65536)
        if data:
            self.inc.write(data)
        else:
            self.inc.write_eof()
        return bool(data)

    def handshake(self, timeout):
        self.raw.settimeout(timeout)
        while True:
            try:
                self.obj.do_handshake()
                self._flush()
                return self.obj.version()
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    raise Gone("client left during the TLS handshake")

    def recv(self, n):
        """Plaintext; b"" once the client closed (close_notify or not)."""
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    def _records(self, data):
        """Encrypt data as records of random sizes (not yet sent)."""
        i = 0
        while i < len(data):
            k = self.rnd.randint(1, self.record)
            self.obj.write(data[i:i + k])
            i += k

    def sendall(self, data):
        self._records(data)
        self._flush()

    def send_cut(self, data):
        """data as one record (or more), only the first half of it sent."""
        self.obj.write(data)
        raw = self.out.read()
        self.raw.sendall(raw[:max(1, len(raw) // 2)])

    def close_notify(self):
        try:
            self.obj.unwrap()
        except (ssl.SSLError, ValueError):
            pass        # SSLWantReadError: the client's reply is not awaited
        try:
            self._flush()
        except OSError:
            pass

    def close(self):
        self.raw.close()


class Conn:
    def __init__(self, sock, args, port, index):
        self.s = sock
        self.args = args
        self.port = port
        self.index = index
        # With --redirect the first connection behaves; the next ones don't.
        self.scen = "ok" if args.redirect and index == 0 else args.scenario
        self.buf = b""
        self.stream = "s"
        self.frame_max = 1048576
        self.sent = 0
        self.tls = sock if isinstance(sock, TLSSock) else None

    def close(self, polite):
        """End the connection as --tls-close says (TLS), or just close."""
        if self.tls and (polite or self.args.tls_close == "notify"):
            self.tls.close_notify()
        self.s.close()

    def send(self, data):
        if self.scen == "mutate":
            data = self.mutate(data)
        try:
            self.s.sendall(data)
        except OSError as e:
            raise Gone(str(e))

    def mutate(self, data):
        """Scenario mutate: damage the --frame'th frame sent (counted from 0
        on each connection) in a way chosen by --seed."""
        n, self.sent = self.sent, self.sent + 1
        if n != self.args.frame or len(data) < 4:
            return data
        rnd = random.Random(self.args.seed)
        b = bytearray(data)
        how = rnd.randrange(5)
        if how == 0:            # flip one byte
            i = rnd.randrange(len(b))
            b[i] ^= 1 << rnd.randrange(8)
        elif how == 1:          # a boundary value in an aligned u32
            i = rnd.randrange(0, max(1, len(b) - 3))
            v = rnd.choice([0, 1, 3, 4, 0x7FFF, 0xFFFF, 0x7FFFFFFF,
                            0x80000000, 0xFFFFFFFF])
            b[i:i + 4] = u32(v)
        elif how == 2:          # a boundary value in a u16
            i = rnd.randrange(0, max(1, len(b) - 1))
            b[i:i + 2] = u16(rnd.choice([0, 1, 0x7FFF, 0x8000, 0xFFFF]))
        elif how == 3:          # truncate, size field left as it was
            b = b[:rnd.randrange(len(b))]
        else:                   # random bytes over the body
            for _ in range(rnd.randrange(1, 8)):
                b[rnd.randrange(4, len(b)) if len(b) > 4 else 0] = \
                    rnd.randrange(256)
        log("mutate: frame %d, seed %d, way %d" % (n, self.args.seed, how))
        return bytes(b)

    def read_frame(self, timeout=5.0):
        """(key, version, body) of the next client frame; None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                size = struct.unpack(">I", self.buf[:4])[0]
                if size < 4 or size > 64 << 20:
                    raise Gone("client sent a frame of size %d" % size)
                if len(self.buf) >= 4 + size:
                    f = self.buf[4:4 + size]
                    self.buf = self.buf[4 + size:]
                    key, ver = struct.unpack(">HH", f[:4])
                    return key, ver, f[4:]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            except OSError as e:
                raise Gone(str(e))
            if not data:
                raise Gone("client closed the connection")
            self.buf += data

    def expect(self, key):
        """Read frames until one with key; its (corr, rest of body)."""
        while True:
            f = self.read_frame(timeout=self.args.hold)
            if f is None:
                raise Gone("timed out waiting for key 0x%04x" % key)
            k, _, body = f
            if k == key:
                if len(body) >= 4:
                    return struct.unpack(">I", body[:4])[0], body[4:]
                return 0, body
            if k in (HEARTBEAT, CREDIT):
                continue
            log("ignoring key 0x%04x while waiting for 0x%04x" % (k, key))

    def peek(self):
        """The next client frame, left unread."""
        f = self.read_frame(timeout=self.args.hold)
        if f is None:
            raise Gone("client idle")
        key, ver, body = f
        self.buf = u32(4 + len(body)) + u16(key) + u16(ver) + body + self.buf
        return f

    def hold(self, seconds=None, heartbeats=False):
        """Read and discard until the client leaves or seconds pass."""
        if seconds is None:
            seconds = self.args.hold
        end = time.monotonic() + seconds
        next_hb = time.monotonic()
        while time.monotonic() < end:
            if heartbeats and time.monotonic() >= next_hb:
                self.send(frame(HEARTBEAT, b""))
                next_hb = time.monotonic() + 0.5
            f = self.read_frame(timeout=0.25 if heartbeats else
                                max(0.05, end - time.monotonic()))
            if f is None:
                continue
            key, _, body = f
            if key == CLOSE:
                corr = struct.unpack(">I", body[:4])[0]
                self.send(response(CLOSE, corr))
                raise Polite("client closed politely")
        log("hold over: closing")
        raise Gone("hold over")


# ---- the scenarios ------------------------------------------------------

def generic_fault(c, scen, key, corr, good):
    """Send the generic fault scen in place of the frame good (a reply to
    key/corr, or a Deliver), then hold or close."""
    if scen == "size0":
        c.send(u32(0))
    elif scen == "size3":
        c.send(u32(3) + b"\x80\x11\x00")
    elif scen == "size_huge":
        c.send(u32(0xFFFFFFFF) + u16(key) + u16(1) + b"\0" * 16)
    elif scen == "unknown_key":
        c.send(frame(0x0777, u32(corr) + b"hostile"))
    elif scen == "unknown_corr":
        # The expected reply, but to a request nobody made.
        c.send(good[:8] + u32(corr + 1000) + good[12:])
    elif scen == "short_response":
        # key, version and correlation id, but no response code.
        c.send(frame(key, u32(corr)))
    elif scen == "eof_mid_frame":
        if c.tls and c.args.tls_close == "mid-record":
            c.tls.send_cut(good[:len(good) // 2])
        else:
            c.send(good[:len(good) // 2])
        time.sleep(0.2)
        raise Gone("closed mid-frame")
    elif scen == "close":
        c.send(frame(CLOSE, u32(77) + u16(INTERNAL_ERROR) +
                     string("hostile server going away")))
    elif scen == "close_reason_control":
        # A reason with a newline and terminal escapes in it.
        c.send(frame(CLOSE, u32(78) + u16(INTERNAL_ERROR) +
                     string("bye\nrstream-x: s: all is well\x1b[2J\x07")))
    elif scen == "announce_max_deliver":
        # A Deliver header announcing 256 MiB (the client's cap for
        # Deliver, whatever the state), then nothing more.
        c.send(u32(256 << 20) + u16(DELIVER) + u16(1) + b"\x00")
    elif scen == "heartbeat_only":
        c.hold(heartbeats=True)
    elif scen == "silent":
        pass
    c.hold()


def newer(scen):
    """Does the server play 3.13.0 (with ExchangeCommandVersions)?"""
    return scen.startswith(("filter", "partitions_", "route_", "cu",
                            "deliver_v2"))


def handshake(c):
    args, scen, at = c.args, c.scen, c.args.at

    corr, _ = c.expect(PEER_PROPERTIES)
    good = response(PEER_PROPERTIES, corr, OK,
                    strmap([("product", "RabbitMQ"),
                            ("version", "3.13.0" if newer(scen)
                             else "3.10.8"),
                            ("cluster_name", "hostile")]))
    if scen in GENERIC and at == "peer":
        generic_fault(c, scen, PEER_PROPERTIES | RESPONSE, corr, good)
    if scen == "peer_map_past_frame":
        good = response(PEER_PROPERTIES, corr, OK,
                        u32(1) + string("version") + u16(0x7FFF) + b"3.10.8")
    c.send(good)

    corr, _ = c.expect(SASL_HANDSHAKE)
    if scen == "mechanisms_past_frame":
        c.send(response(SASL_HANDSHAKE, corr, OK,
                        u32(1) + u16(300) + b"PLAIN"))
        c.hold()
    if scen == "mechanisms_count":
        c.send(response(SASL_HANDSHAKE, corr, OK,
                        u32(0x7FFFFFFF) + string("PLAIN")))
        c.hold()
    c.send(response(SASL_HANDSHAKE, corr, OK,
                    u32(2) + string("AMQPLAIN") + string("PLAIN")))

    corr, _ = c.expect(SASL_AUTHENTICATE)
    if scen == "tune_early":
        c.send(frame(TUNE, u32(1048576) + u32(args.heartbeat)))
        c.hold()
    c.send(response(SASL_AUTHENTICATE, corr))
    if scen == "tune_short":
        c.send(frame(TUNE, u32(1048576)))
        c.hold()
    if scen == "tune_tiny_frame_max":
        c.send(frame(TUNE, u32(100) + u32(args.heartbeat)))
        c.hold()
    c.send(frame(TUNE, u32(1048576) + u32(args.heartbeat)))

    # Tune has no correlation id: expect() hands back frame_max in its place.
    c.frame_max, _ = c.expect(TUNE)

    corr, _ = c.expect(OPEN)
    good = response(OPEN, corr, OK,
                    strmap([("advertised_host", "localhost"),
                            ("advertised_port", str(c.port))]))
    if scen in GENERIC and at == "open":
        generic_fault(c, scen, OPEN | RESPONSE, corr, good)
    if scen == "open_map_past_frame":
        good = response(OPEN, corr, OK,
                        u32(2) + string("advertised_host") + u16(0x1000) +
                        b"localhost")
    c.send(good)


def metadata_reply(c, corr, body):
    """The Metadata response for the streams asked in body."""
    scen = c.scen
    n = struct.unpack(">I", body[:4])[0]
    names, p = [], 4
    for _ in range(n):
        ln = struct.unpack(">H", body[p:p + 2])[0]
        names.append(body[p + 2:p + 2 + ln])
        p += 2 + ln
    if names:
        c.stream = names[0].decode(errors="replace")
    # With --redirect the seed connection names another host for the
    # leader (the same listener as 127.0.0.1), so the tool opens a second
    # connection, and that one misbehaves.
    host = "127.0.0.1" if c.args.redirect and c.index == 0 else "localhost"
    brokers = u32(1) + u16(0) + string(host) + u32(c.port)
    leader = 0
    replicas = u32(0)
    if scen == "metadata_string_past_frame":
        brokers = u32(1) + u16(0) + u16(0x4000) + b"localhost"
    elif scen == "metadata_count":
        brokers = u32(0x7FFFFFFF) + u16(0) + string("localhost") + u32(c.port)
    elif scen == "metadata_replicas_count":
        replicas = u32(0x7FFFFFFF) + u16(0)
    elif scen == "metadata_bad_leader":
        leader = 7
    streams = u32(len(names)) + b"".join(
        string(nm) + u16(OK) + u16(leader) + replicas for nm in names)
    # No response code in a Metadata response.
    return frame(METADATA | RESPONSE, u32(corr) + brokers + streams)


def chunk_for(c, scen):
    """The chunk the main subscription gets (also the 'last' chunk)."""
    recs = [b"r0", b"r1", b"r2"]
    if scen == "deliver_bad_crc":
        return chunk(0, recs, crc=zlib.crc32(b"something else"))
    if scen == "deliver_counts_disagree":
        return chunk(0, recs[:2], nrecords=3)
    if scen == "deliver_entries_exceed_records":
        return chunk(0, recs, nrecords=2)
    if scen == "deliver_entry_past_data":
        data = u32(2) + b"r0" + u32(1000) + b"r1" + u32(2) + b"r2"
        return chunk(0, recs, entries=3, raw_entries=data)
    if scen == "deliver_data_len_past":
        return chunk(0, recs, data_len=4096)
    if scen == "deliver_bad_magic":
        return chunk(0, recs, magic=0x42)
    if scen == "deliver_subentry_past":
        # One uncompressed sub-entry batch: 0x80, records u16, uncompressed
        # length u32, length u32, then records. Claims 5, holds 3.
        inner = b"".join(u32(len(r)) + r for r in recs)
        data = u8(0x80) + u16(5) + u32(len(inner)) + u32(len(inner)) + inner
        return chunk(0, recs, entries=1, nrecords=5, raw_entries=data)
    if scen == "deliver_offset_wrap":
        return chunk(0xFFFFFFFFFFFFFFFE, recs + [b"r3"])
    return chunk(0, recs)


def amqp_str(tag, b):
    """An AMQP 1.0 str8 (0xa1), sym8 (0xa3) or vbin8 (0xa0)."""
    return u8(tag) + u8(len(b)) + b


def amqp_msg(body, app=None, annotations=None):
    """An AMQP 1.0 message: message annotations and application properties
    (each a map8 of encoded key/value pairs, or raw bytes), one data section."""
    out = b""
    for code, m in ((0x72, annotations), (0x74, app)):
        if m is None:
            continue
        if isinstance(m, bytes):
            out += b"\x00\x53" + u8(code) + m
            continue
        inner = b"".join(k + v for k, v in m)
        out += b"\x00\x53" + u8(code) + b"\xc1" + u8(len(inner) + 1) + \
            u8(2 * len(m)) + inner
    return out + b"\x00\x53\x75" + amqp_str(0xa0, body)


FV = amqp_str(0xa1, b"x-stream-filter-value")


def filter_chunk():
    """Scenario filter: what a Bloom filter let through for eu."""
    return chunk(0, [
        amqp_msg(b"r0", app=[(FV, amqp_str(0xa1, b"eu"))]),
        amqp_msg(b"r1", app=[(FV, amqp_str(0xa1, b"us"))]),
        amqp_msg(b"r2"),
        amqp_msg(b"r3", annotations=[(amqp_str(0xa3, b"x-stream-filter-value"),
                                      amqp_str(0xa1, b"eu"))]),
        amqp_msg(b"r4", app=[(FV, b"\x54\x07")]),
        amqp_msg(b"r5", app=b"\xc1\x30\xff" + FV),
        amqp_msg(b"r6", app=[(FV, amqp_str(0xa0, b"eu"))]),
    ])


def subscribe_props(body):
    """The properties of a Subscribe (body after the key and version)."""
    p = 5
    ln = struct.unpack(">H", body[p:p + 2])[0]
    p += 2 + ln
    kind = struct.unpack(">H", body[p:p + 2])[0]
    p += 2 + (8 if kind in (4, 5) else 0) + 2
    props = {}
    if len(body) >= p + 4:
        n, p = struct.unpack(">I", body[p:p + 4])[0], p + 4
        for _ in range(n):
            kv = []
            for _ in range(2):
                ln = struct.unpack(">H", body[p:p + 2])[0]
                kv.append(body[p + 2:p + 2 + ln].decode())
                p += 2 + ln
            props[kv[0]] = kv[1]
    return props


def serve_tail(c, scen):
    """After Metadata: Subscribe(1, last) + Metadata barrier, Unsubscribe,
    Subscribe(0, ...), deliveries."""
    last = chunk_for(c, scen)
    if scen == "filter":
        last = filter_chunk()
    if scen == "close_mid_delivery":
        first = chunk(0, [b"r0", b"r1", b"r2"])
        last = chunk(3, [b"r3", b"r4", b"r5"])
    while True:
        f = c.read_frame(timeout=c.args.hold)
        if f is None:
            raise Gone("client idle")
        key, _, body = f
        if key in (HEARTBEAT, CREDIT):
            continue
        corr = struct.unpack(">I", body[:4])[0] if len(body) >= 4 else 0
        if key == CLOSE:
            c.send(response(CLOSE, corr))
            raise Polite("client closed politely")
        if key == METADATA:
            c.send(metadata_reply(c, corr, body[4:]))
        elif key == UNSUBSCRIBE:
            c.send(response(UNSUBSCRIBE, corr))
        elif key == QUERY_OFFSET:
            c.send(response(QUERY_OFFSET, corr, NO_OFFSET, u64(0)))
        elif key == SUBSCRIBE and scen.startswith("cu"):
            props = subscribe_props(body)
            log("subscribe properties: %s" % sorted(props.items()))
            c.send(response(SUBSCRIBE, corr))
            serve_cu(c, scen, body[4])
        elif key == SUBSCRIBE and scen.startswith("deliver_v2"):
            c.send(response(SUBSCRIBE, corr))
            if scen == "deliver_v2_short":
                c.send(frame(DELIVER, u8(body[4]) + b"\0\0\0\0", version=2))
                c.hold()
            c.send(frame(DELIVER, u8(body[4]) + u64(0) + last, version=2))
        elif key == SUBSCRIBE:
            subid = body[4]
            good_reply = response(SUBSCRIBE, corr)
            if subid == 1:
                c.send(good_reply)
                if scen == "deliver_truncated_header_snap":
                    c.send(deliver(1, last[:20]))
                else:
                    c.send(deliver(1, last))
                continue
            if scen in GENERIC and c.args.at == "work":
                c.send(good_reply)
                generic_fault(c, scen, DELIVER, corr,
                              deliver(subid, chunk(0, [b"r0", b"r1", b"r2"])))
            c.send(good_reply)
            if scen == "filter":
                props = subscribe_props(body)
                log("subscribe properties: %s" % sorted(props.items()))
                if "filter.0" not in props:
                    c.send(deliver(subid, chunk(0, [b"no filter.0"])))
                    continue
            if scen == "close_mid_delivery":
                c.send(deliver(subid, first))
                time.sleep(0.2)
                c.send(frame(CLOSE, u32(5) + u16(INTERNAL_ERROR) +
                             string("node going down")))
                c.hold()
            elif scen == "deliver_truncated_header":
                c.send(deliver(subid, last[:20]))
                c.hold()
            elif scen == "deliver_empty":
                c.send(frame(DELIVER, b""))
                c.hold()
            else:
                c.send(deliver(subid, last))
        else:
            log("tail: ignoring key 0x%04x" % key)


def serve_cu(c, scen, subid):
    """Single active consumer: ConsumerUpdate requests to rstream-tail."""
    if scen == "cu_malformed":
        c.send(frame(CONSUMER_UPDATE, u32(101)))
        c.hold()
    if scen == "cu_unknown_sub":
        c.send(frame(CONSUMER_UPDATE, u32(101) + u8(77) + u8(1)))
        c.hold()
    def answer():
        """Read up to the ConsumerUpdate answer (QueryOffset: none
        stored); (code, offset type, the offset a StoreOffset before it
        stored or None)."""
        stored = None
        while True:
            f = c.read_frame(timeout=c.args.hold)
            if f is None:
                raise Gone("no answer to ConsumerUpdate")
            key, _, body = f
            if key == QUERY_OFFSET:
                c.send(response(QUERY_OFFSET, struct.unpack(">I", body[:4])[0],
                                NO_OFFSET, u64(0)))
            elif key == STORE_OFFSET:
                p = 2 + struct.unpack(">H", body[:2])[0]
                p += 2 + struct.unpack(">H", body[p:p + 2])[0]
                stored = struct.unpack(">Q", body[p:p + 8])[0]
            elif key == CONSUMER_UPDATE | RESPONSE:
                return struct.unpack(">HH", body[4:8]) + (stored,)

    c.send(frame(CONSUMER_UPDATE, u32(101) + u8(subid) + u8(1)))
    code, kind, _ = answer()
    log("consumer update answered: code %d, offset type %d" % (code, kind))
    c.send(deliver(subid, chunk(0, [b"r0", b"r1", b"r2"])))
    time.sleep(0.3)
    c.send(frame(CONSUMER_UPDATE, u32(102) + u8(subid) + u8(0)))
    code, kind, stored = answer()
    log("stepped down: stored %s before the answer (code %d, offset type %d)"
        % (stored, code, kind))
    c.send(deliver(subid, chunk(3, [b"r3", b"r4", b"r5"])))
    c.hold()


def serve_super(c, scen):
    """Partitions and Route requests; then the tool's own traffic."""
    while True:
        f = c.peek()
        if f[0] == PARTITIONS:
            corr, _ = c.expect(PARTITIONS)
            body = u32(1) + string("s-0")
            if scen == "partitions_malformed":
                body = u32(1) + u16(300) + b"s-0"
            elif scen == "partitions_empty":
                body = u32(0)
            elif scen == "partitions_huge":
                body = u32(0x7FFFFFFF) + string("s-0")
            elif scen == "partitions_nul":
                body = u32(1) + u16(5) + b"s-0\0x"
            c.send(response(PARTITIONS, corr, OK, body))
            if scen.startswith("partitions_"):
                c.hold()
        elif f[0] == ROUTE:
            corr, _ = c.expect(ROUTE)
            body = u32(1) + string("s-0")
            if scen == "route_malformed":
                body = u32(1) + u16(300) + b"s-0"
            elif scen == "route_no_stream":
                body = u32(0)
            elif scen == "route_huge":
                body = u32(0x7FFFFFFF) + string("s-0")
            elif scen == "route_nul":
                body = u32(1) + u16(5) + b"s-0\0x"
            c.send(response(ROUTE, corr, OK, body))
            if scen.startswith("route_"):
                c.hold()
        elif f[0] == CLOSE:
            c.hold()
        elif f[0] == METADATA:
            corr, body = c.expect(METADATA)
            c.send(metadata_reply(c, corr, body))
        elif f[0] in (SUBSCRIBE, QUERY_OFFSET):
            serve_tail(c, scen)
        else:
            serve_cat(c, scen)


def serve_cat(c, scen):
    """After Metadata: DeclarePublisher, then Publish frames."""
    while True:
        f = c.read_frame(timeout=c.args.hold)
        if f is None:
            raise Gone("client idle")
        key, ver, body = f
        if key in (HEARTBEAT, CREDIT):
            continue
        if key == CLOSE:
            corr = struct.unpack(">I", body[:4])[0]
            c.send(response(CLOSE, corr))
            raise Polite("client closed politely")
        if key == METADATA:
            corr = struct.unpack(">I", body[:4])[0]
            c.send(metadata_reply(c, corr, body[4:]))
        elif key == CREATE:
            corr = struct.unpack(">I", body[:4])[0]
            c.send(response(CREATE, corr))
        elif key == DECLARE_PUBLISHER:
            corr = struct.unpack(">I", body[:4])[0]
            c.send(response(DECLARE_PUBLISHER, corr))
        elif key == PUBLISH:
            pubid = body[0]
            count = struct.unpack(">i", body[1:5])[0]
            ids, p, fvs = [], 5, []
            for _ in range(count):
                ids.append(struct.unpack(">Q", body[p:p + 8])[0])
                p += 8
                if ver == 2:    # the filter value, a string (-1: none)
                    fl = struct.unpack(">h", body[p:p + 2])[0]
                    fvs.append(body[p + 2:p + 2 + fl].decode() if fl >= 0
                               else "-")
                    p += 2 + max(fl, 0)
                ln = struct.unpack(">I", body[p:p + 4])[0] & 0x7FFFFFFF
                p += 4 + ln
            log("publish v%d: %d messages%s" % (
                ver, len(ids), ", filter values " + ",".join(fvs)
                if ver == 2 else ""))
            good = frame(PUBLISH_CONFIRM, u8(pubid) + u32(len(ids)) +
                         b"".join(u64(i) for i in ids))
            if scen in GENERIC and c.args.at == "work":
                generic_fault(c, scen, PUBLISH_CONFIRM, 0, good)
            if scen == "confirm_unknown_publisher":
                c.send(frame(PUBLISH_CONFIRM, u8(7) + u32(len(ids)) +
                             b"".join(u64(i) for i in ids)))
                c.hold()
            if scen == "confirm_hostile_count":
                c.send(frame(PUBLISH_CONFIRM, u8(pubid) + u32(0x7FFFFFFF) +
                             u64(ids[0])))
                c.hold()
            if scen == "confirm_negative_count":
                c.send(frame(PUBLISH_CONFIRM, u8(pubid) + u32(0xFFFFFFFF) +
                             u64(ids[0])))
                c.hold()
            if scen == "confirm_stray_ids":
                c.send(frame(PUBLISH_CONFIRM, u8(pubid) + u32(2) +
                             u64(1 << 40) + u64(0)))
                c.hold()
            if scen == "error_hostile_count":
                c.send(frame(PUBLISH_ERROR, u8(pubid) + u32(1000) +
                             u64(ids[0]) + u16(0x12)))
                c.hold()
            c.send(good)
        else:
            log("cat: ignoring key 0x%04x" % key)


def serve(c):
    """One connection: handshake, Metadata, then the tool's own traffic."""
    scen, at = c.scen, c.args.at
    if scen == "mute":
        time.sleep(c.args.hold)
        raise Gone("hold over")
    if scen == "babble":
        c.send(frame(TUNE, u32(1048576) + u32(c.args.heartbeat)) +
               frame(HEARTBEAT, b""))
        c.hold(heartbeats=True)
    handshake(c)
    f = c.peek()
    if f[0] == EXCHANGE_COMMAND_VERSIONS:
        corr, _ = c.expect(EXCHANGE_COMMAND_VERSIONS)
        listed = u16(PUBLISH) + u16(1) + u16(1 if scen == "filter_unlisted"
                                             else 2)
        if scen.startswith("deliver_v2"):
            c.send(response(EXCHANGE_COMMAND_VERSIONS, corr, OK, u32(2) +
                            listed + u16(DELIVER) + u16(1) + u16(2)))
        else:
            c.send(response(EXCHANGE_COMMAND_VERSIONS, corr, OK,
                            u32(1) + listed))
        f = c.peek()
    if f[0] in (PARTITIONS, ROUTE):
        serve_super(c, scen)
    if f[0] == METADATA:
        corr, body = c.expect(METADATA)
        good = metadata_reply(c, corr, body)
        if scen in GENERIC and at == "metadata":
            generic_fault(c, scen, METADATA | RESPONSE, corr, good)
        c.send(good)
        f = c.peek()
    # Which tool is it? rstream-tail subscribes (or queries an offset),
    # rstream-cat declares.
    if f[0] in (SUBSCRIBE, QUERY_OFFSET):
        serve_tail(c, scen)
    else:
        serve_cat(c, scen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", help="one of: " + ", ".join(sorted(SCENARIOS)))
    ap.add_argument("--at", choices=STAGES, default=None)
    ap.add_argument("--heartbeat", type=int, default=60,
                    help="heartbeat proposed in Tune (seconds)")
    ap.add_argument("--hold", type=float, default=15.0,
                    help="seconds to keep a connection open after misbehaving")
    ap.add_argument("--lifetime", type=float, default=20.0,
                    help="exit after this many seconds whatever happens")
    ap.add_argument("--seed", type=int, default=1, help="for mutate")
    ap.add_argument("--frame", type=int, default=0,
                    help="for mutate: which frame sent to damage (from 0)")
    ap.add_argument("--redirect", action="store_true",
                    help="misbehave on the connection to the leader that the "
                    "first connection's Metadata points to")
    ap.add_argument("--tls-cert", metavar="PEM",
                    help="speak TLS with this certificate (chain)")
    ap.add_argument("--tls-key", metavar="PEM", help="its private key")
    ap.add_argument("--tls-record", type=int, default=512, metavar="N",
                    help="TLS records carry 1 to N bytes of plaintext")
    ap.add_argument("--tls-close", default="notify",
                    choices=("notify", "abrupt", "mid-record"),
                    help="how a TLS connection ends when we end it")
    args = ap.parse_args()
    if args.scenario == "list":
        for k in sorted(SCENARIOS):
            print("%-32s %s" % (k, SCENARIOS[k]))
        return 0
    if args.scenario not in SCENARIOS:
        ap.error("unknown scenario %r" % args.scenario)
    if args.at is None:
        args.at = GENERIC.get(args.scenario)

    # Never outlive the test, whatever the client does.
    signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
    signal.setitimer(signal.ITIMER_REAL, args.lifetime)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.tls_cert, args.tls_key)

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    port = ls.getsockname()[1]
    print(port, flush=True)
    index = 0
    while True:
        s, peer = ls.accept()
        log("connection %d from %s:%d, scenario %s at %s%s" %
            (index, peer[0], peer[1], args.scenario, args.at,
             ", TLS" if ctx else ""))
        threading.Thread(target=run_conn, args=(s, ctx, args, port, index),
                         daemon=True).start()
        index += 1


def run_conn(s, ctx, args, port, index):
    polite = False
    c = None
    try:
        if ctx is not None:
            s = TLSSock(s, ctx, args.tls_record, args.seed * 1000 + index)
            log("connection %d: %s" % (index, s.handshake(args.hold)))
        c = Conn(s, args, port, index)
        serve(c)
    except Polite as e:
        polite = True
        log("connection %d over:" % index, e)
    except Gone as e:
        log("connection %d over:" % index, e)
    except (struct.error, IndexError, ValueError) as e:
        log("connection %d: client sent something unexpected:" % index, e)
    except ssl.SSLError as e:
        log("connection %d: TLS:" % index, e)
    except OSError as e:
        log("connection %d:" % index, e)
    finally:
        if c is not None:
            c.close(polite)
        else:
            s.close()


if __name__ == "__main__":
    sys.exit(main())
