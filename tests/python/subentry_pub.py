#!/usr/bin/python3
"""A minimal RabbitMQ Stream protocol publisher of sub-entry batches, in
the standard library plus the codec modules (tests/python/subentry_codecs.py):
nothing of our C code, so that rstream-tail reading what this writes proves
that we read what other clients write.

  subentry_pub.py [-u URI] [--amqp] [--tag T] STREAM ENTRY...

ENTRY is CODEC:STYLE:N, a sub-entry batch of N records compressed with CODEC
(none, gzip, snappy, lz4, zstd) in the framing of STYLE (java, go, python,
raw, ... : subentry_codecs.STYLES), or simple:N, N simple entries. Broken
batches, to see them refused: CODEC:STYLE:N:corrupt (the body's middle byte
flipped), CODEC:STYLE:N:short (the declared uncompressed size one byte
short), typeT:N (T = 5, 6 or 7, unknown types, with a gzip body),
bomb:N (a zstd body of 128 KiB that inflates to 4 GiB of zeros, declared
as N bytes of 1 record). The
entries of one run go out in one Publish frame; the run waits for every
confirm. The stream is created if it does not exist. Each record is one
syslog-like line (tagged with T, the entry and the record number, so that
runs and entries differ); with --amqp each is wrapped in an AMQP 1.0 message
with one data section, as the Java client writes them. The records, one per
line, go to stdout in the order they were published.

URI: -u, else RSTREAM_TEST_URI, else rabbitmq-stream://guest:guest@localhost:5552/%2f.
Exit status 0 when every entry was confirmed, 1 otherwise (with a reason).
"""
import argparse
import os
import socket
import struct
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import subentry_codecs as sc  # noqa: E402

PEER_PROPERTIES, SASL_HANDSHAKE, SASL_AUTHENTICATE = 0x11, 0x12, 0x13
TUNE, OPEN, CLOSE, HEARTBEAT = 0x14, 0x15, 0x16, 0x17
CREATE, DECLARE_PUBLISHER, PUBLISH = 0x0D, 0x01, 0x02
PUBLISH_CONFIRM, PUBLISH_ERROR = 0x03, 0x04
OK, STREAM_ALREADY_EXISTS = 0x01, 0x05


def die(msg):
    sys.stderr.write("subentry_pub.py: %s\n" % msg)
    sys.exit(1)


def string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.buf = b""
        self.corr = 0

    def send(self, key, body, version=1):
        frame = struct.pack(">HH", key, version) + body
        self.sock.sendall(struct.pack(">I", len(frame)) + frame)

    def request(self, key, body=b""):
        self.corr += 1
        self.send(key, struct.pack(">I", self.corr) + body)
        return self.corr

    def frame(self):
        while True:
            while len(self.buf) < 4 or \
                    len(self.buf) < 4 + struct.unpack(">I", self.buf[:4])[0]:
                data = self.sock.recv(65536)
                if not data:
                    die("the broker closed the connection")
                self.buf += data
            n = struct.unpack(">I", self.buf[:4])[0]
            f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
            key = struct.unpack(">H", f[:2])[0]
            if key == HEARTBEAT:
                continue
            return key, f[4:]

    def tune(self):
        """Wait for the broker's Tune and agree to what it proposes."""
        k, body = self.frame()
        if k != TUNE:
            die("expected Tune, got 0x%04x" % k)
        self.send(TUNE, body[:8])

    def reply(self, key):
        """The response to the request just made: its code and the rest."""
        k, body = self.frame()
        if k != (key | 0x8000):
            die("expected the response to 0x%04x, got 0x%04x" % (key, k))
        return struct.unpack(">H", body[4:6])[0], body[6:]


def amqp_message(rec):
    """An AMQP 1.0 message of one data section (0x00 0x53 0x75, binary)."""
    if len(rec) < 256:
        return b"\x00\x53\x75\xa0" + bytes([len(rec)]) + rec
    return b"\x00\x53\x75\xb0" + struct.pack(">I", len(rec)) + rec


def zstd_bomb(total):
    """A zstd frame of RLE blocks of zeros: 4 bytes per 128 KiB."""
    block = struct.pack("<I", (128 << 10) << 3 | 1 << 1)[:3] + b"\0"
    last = struct.pack("<I", (128 << 10) << 3 | 1 << 1 | 1)[:3] + b"\0"
    n = total // (128 << 10)
    return b"\x28\xb5\x2f\xfd\x00\x58" + block * (n - 1) + last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-u", "--uri", default=os.environ.get(
        "RSTREAM_TEST_URI", "rabbitmq-stream://guest:guest@localhost:5552/%2f"))
    ap.add_argument("--amqp", action="store_true")
    ap.add_argument("--tag", default="r")
    ap.add_argument("stream")
    ap.add_argument("entries", nargs="+")
    a = ap.parse_args()

    u = urllib.parse.urlsplit(a.uri)
    vhost = urllib.parse.unquote(u.path[1:]) if len(u.path) > 1 else "/"
    c = Conn(u.hostname or "localhost", u.port or 5552)
    c.request(PEER_PROPERTIES, struct.pack(">I", 1) + string("product") +
              string("subentry_pub.py"))
    if c.reply(PEER_PROPERTIES)[0] != OK:
        die("PeerProperties refused")
    c.request(SASL_HANDSHAKE)
    c.reply(SASL_HANDSHAKE)
    user = urllib.parse.unquote(u.username or "guest")
    pw = urllib.parse.unquote(u.password or "guest")
    auth = b"\0" + user.encode() + b"\0" + pw.encode()
    c.request(SASL_AUTHENTICATE, string("PLAIN") +
              struct.pack(">I", len(auth)) + auth)
    if c.reply(SASL_AUTHENTICATE)[0] != OK:
        die("authentication refused")
    c.tune()
    c.request(OPEN, string(vhost))
    if c.reply(OPEN)[0] != OK:
        die("Open refused")
    c.request(CREATE, string(a.stream) + struct.pack(">I", 0))
    code = c.reply(CREATE)[0]
    if code not in (OK, STREAM_ALREADY_EXISTS):
        die("Create refused: 0x%02x" % code)
    c.request(DECLARE_PUBLISHER, b"\x01" + string("") + string(a.stream))
    if c.reply(DECLARE_PUBLISHER)[0] != OK:
        die("DeclarePublisher refused")

    entries, printed, pid = [], [], 0
    for i, spec in enumerate(a.entries):
        parts = spec.split(":")
        n = int(parts[2] if len(parts) == 4 else parts[-1])
        if parts[0] == "bomb":
            pid += 1
            body = zstd_bomb(4 << 30)
            entries.append(struct.pack(">QBHII", pid, 0x80 | sc.ZSTD << 4, 1,
                                       n, len(body)) + body)
            continue
        lines = [b"%s-%d-%d %s" % (a.tag.encode(), i, j, line) for j, line in
                 enumerate(sc.syslog_lines(n, seed=i + 1))]
        recs = [amqp_message(r) if a.amqp else r for r in lines]
        if parts[0] == "simple":
            for r in recs:
                pid += 1
                entries.append(struct.pack(">QI", pid, len(r)) + r)
        else:
            if parts[0].startswith("type"):
                codec, style, body_codec = int(parts[0][4:]), "java", sc.GZIP
            else:
                codec = body_codec = sc.NAMES[parts[0]]
                style = parts[1] if len(parts) >= 3 else "java"
            plain = sc.records_body(recs)
            body = sc.compress(body_codec, plain, style)
            ulen = len(plain)
            if parts[-1] == "corrupt":
                body = bytearray(body)
                body[len(body) // 2] ^= 0xFF
                body = bytes(body)
            elif parts[-1] == "short":
                ulen -= 1
            pid += 1
            entries.append(struct.pack(">QBHII", pid, 0x80 | codec << 4,
                                       len(recs), ulen, len(body)) + body)
        printed += lines
    c.send(PUBLISH, b"\x01" + struct.pack(">I", len(entries)) +
           b"".join(entries))
    confirmed = set()
    while len(confirmed) < pid:
        k, body = c.frame()
        if k == PUBLISH_CONFIRM:
            n = struct.unpack(">I", body[1:5])[0]
            confirmed.update(struct.unpack(">%dQ" % n, body[5:5 + 8 * n]))
        elif k == PUBLISH_ERROR:
            die("publish error: %s" % body.hex())
        elif k == CLOSE:
            die("the broker closed the connection: %r" % body)
    c.request(CLOSE, struct.pack(">H", OK) + string("done"))
    c.sock.close()
    out = sys.stdout.buffer
    for line in printed:
        out.write(line + b"\n")
    out.flush()


if __name__ == "__main__":
    main()
