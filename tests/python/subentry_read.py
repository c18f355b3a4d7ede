#!/usr/bin/python3
"""subentry_read.py URI STREAM EXPECTED [options]: read STREAM from its first
record with a minimal RabbitMQ Stream protocol consumer of its own (stdlib
sockets, none of rstream-tools' code), decode every sub-entry batch with
Debian's Python bindings of each codec and every message with
python3-qpid-proton, and check each record byte for byte against EXPECTED.

  --framing lines|be32   how EXPECTED holds its records (default lines: the
                         newline is stripped, a last line without one counts)
  --raw                  records are bare bytes, not AMQP 1.0 messages
  --codec NAME           every entry must be a sub-entry batch compressed
                         with NAME (none, gzip, snappy, lz4, zstd)
  --max-batch N          and hold at most N records
  --timeout SECONDS      give up after this long (default 60)

subentry_read.py URI STREAM --sequence NAME prints the last publishing id
the broker stored for the named publisher NAME on STREAM
(QueryPublisherSequence) instead.

The codecs, as the RabbitMQ Java client writes them (and reads them back):
gzip one gzip stream (gzip.decompress), snappy the framing format of
google/snappy's framing_format.txt (python-snappy's StreamDecompressor),
lz4 an LZ4 frame (lz4.frame.decompress), zstd a zstd frame
(zstandard, streaming: a frame need not state its size).

Prints "records N, batches B (codecs ...), simple entries S, largest batch M"
and exits 0 when every record is there once, in order, byte for byte; else
prints what differs and exits 1.
"""
import argparse
import gzip
import socket
import struct
import sys
import time
import urllib.parse
import zlib

import lz4.frame
import snappy
import snappy.snappy
import zstandard
from proton import Message

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
NAMES = {v: k for k, v in CODECS.items()}


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_T = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), as the snappy framing format checks it."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# python3-snappy 0.5.3's C helper for CRC-32C fails on Python 3.11
# ("PY_SSIZE_T_CLEAN macro must be defined for '#' formats"), which breaks
# its framing decoder; give it one that works.
snappy.snappy._crc32c = crc32c


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def string(s):
    b = s.encode()
    return u16(len(b)) + b


class Conn:
    def __init__(self, host, port, deadline):
        self.s = socket.create_connection((host, port), timeout=10)
        self.buf = b""
        self.corr = 0
        self.deadline = deadline
        self.records = 0
        self.tuned = False

    def send(self, key, body):
        frame = u16(key) + u16(1) + body
        self.s.sendall(u32(len(frame)) + frame)

    def request(self, key, body):
        self.corr += 1
        self.send(key, u32(self.corr) + body)
        while True:
            k, body = self.frame()
            if k == key | 0x8000:
                code = struct.unpack(">H", body[4:6])[0]
                if code != 1:
                    sys.exit("request 0x%02x: response code 0x%02x" % (key, code))
                return body[6:]

    def frame(self, deadline=None):
        """The next frame the broker sends: key and body (after the version);
        None if deadline passes first."""
        while True:
            if len(self.buf) >= 4:
                size = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + size:
                    f = self.buf[4:4 + size]
                    self.buf = self.buf[4 + size:]
                    key = struct.unpack(">H", f[:2])[0]
                    if key == 0x0014:           # Tune: agree
                        self.send(0x0014, f[4:])
                        self.tuned = True
                        return key, f[4:]
                    if key == 0x0017:           # Heartbeat
                        continue
                    return key, f[4:]
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.s.settimeout(left)
                try:
                    data = self.s.recv(1 << 20)
                except socket.timeout:
                    return None
                if not data:
                    sys.exit("the broker closed the connection")
                self.buf += data
                continue
            if time.monotonic() > self.deadline:
                sys.exit("timed out with %d records" % self.records)
            data = self.s.recv(1 << 20)
            if not data:
                sys.exit("the broker closed the connection")
            self.buf += data


def expected_records(path, framing):
    data = open(path, "rb").read()
    if framing == "be32":
        recs, pos = [], 0
        while pos < len(data):
            n = struct.unpack(">I", data[pos:pos + 4])[0]
            recs.append(data[pos + 4:pos + 4 + n])
            pos += 4 + n
        return recs
    recs = data.split(b"\n")
    if recs and recs[-1] == b"":
        recs.pop()
    return recs


def decompress(codec, body, ulen):
    if codec == 0:
        return body
    if codec == 1:
        return gzip.decompress(body)
    if codec == 2:
        if not body.startswith(b"\xff\x06\x00\x00sNaPpY"):
            raise ValueError("snappy body without the framing format's "
                             "stream identifier")
        d = snappy.StreamDecompressor()
        out = d.decompress(body)
        d.flush()
        return out
    if codec == 3:
        return lz4.frame.decompress(body)
    if codec == 4:
        d = zstandard.ZstdDecompressor().decompressobj()
        out = d.decompress(body)
        if not d.eof:
            raise ValueError("zstd frame truncated")
        return out
    raise ValueError("unknown compression type %d" % codec)


def walk_chunk(chunk, out, stats, want_codec):
    """Append the records of one chunk to out; check what a chunk says."""
    if chunk[0] != 0x50:
        raise ValueError("bad chunk magic 0x%02x" % chunk[0])
    nentries, nrecords = struct.unpack(">HI", chunk[2:8])
    first, crc, dlen = struct.unpack(">QII", chunk[24:40])
    data = chunk[48:48 + dlen]
    if len(data) != dlen or zlib.crc32(data) != crc:
        raise ValueError("chunk %d: bad length or CRC" % first)
    if first != stats["next"]:
        raise ValueError("chunk at offset %d, expected %d" % (first, stats["next"]))
    pos, got = 0, 0
    for _ in range(nentries):
        if data[pos] & 0x80 == 0:
            n = struct.unpack(">I", data[pos:pos + 4])[0]
            out.append(data[pos + 4:pos + 4 + n])
            pos += 4 + n
            got += 1
            stats["simple"] += 1
            continue
        codec = data[pos] >> 4 & 7
        count, ulen, clen = struct.unpack(">HII", data[pos + 1:pos + 11])
        body = data[pos + 11:pos + 11 + clen]
        pos += 11 + clen
        if want_codec is not None and codec != want_codec:
            raise ValueError("a %s batch, expected %s" % (NAMES.get(codec, codec),
                                                         NAMES[want_codec]))
        stats["ulen"] += ulen
        stats["clen"] += clen
        raw = decompress(codec, body, ulen)
        if len(raw) != ulen:
            raise ValueError("%s batch inflates to %d bytes, its header says %d"
                             % (NAMES[codec], len(raw), ulen))
        p = 0
        for _ in range(count):
            n = struct.unpack(">I", raw[p:p + 4])[0]
            out.append(raw[p + 4:p + 4 + n])
            p += 4 + n
        if p != len(raw):
            raise ValueError("batch has %d stray bytes" % (len(raw) - p))
        got += count
        stats["batches"] += 1
        stats["codecs"].add(NAMES[codec])
        stats["largest"] = max(stats["largest"], count)
    if pos != dlen or got != nrecords:
        raise ValueError("chunk %d: entries and records disagree with its header"
                         % first)
    stats["next"] = first + nrecords


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("uri")
    ap.add_argument("stream")
    ap.add_argument("expected", nargs="?")
    ap.add_argument("--sequence", metavar="NAME")
    ap.add_argument("--framing", default="lines", choices=["lines", "be32"])
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--codec", choices=sorted(CODECS))
    ap.add_argument("--max-batch", type=int)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--sizes", action="store_true",
                    help="also print the batches' bytes, uncompressed and as sent")
    a = ap.parse_args()

    if a.sequence is None and a.expected is None:
        ap.error("EXPECTED is needed")
    u = urllib.parse.urlsplit(a.uri)
    vhost = urllib.parse.unquote(u.path[1:] or "/")
    c = Conn(u.hostname, u.port or 5552, time.monotonic() + a.timeout)
    c.request(0x0011, u32(0))                             # PeerProperties
    c.request(0x0012, b"")                                # SaslHandshake
    auth = b"\0" + urllib.parse.unquote(u.username or "guest").encode() + \
        b"\0" + urllib.parse.unquote(u.password or "guest").encode()
    c.request(0x0013, string("PLAIN") + u32(len(auth)) + auth)
    while not c.tuned:                                    # Tune comes next
        c.frame(time.monotonic() + 10)
    c.request(0x0015, string(vhost))                      # Open
    if a.sequence is not None:
        body = c.request(0x0005, string(a.sequence) + string(a.stream))
        print(struct.unpack(">Q", body[:8])[0])
        return
    want = expected_records(a.expected, a.framing)
    # Subscribe: id 1, offset type first, credit 10, no properties.
    c.request(0x0007, b"\x01" + string(a.stream) + u16(1) + u16(10) + u32(0))

    stats = {"next": 0, "batches": 0, "simple": 0, "codecs": set(),
             "largest": 0, "ulen": 0, "clen": 0}
    got = []
    want_codec = CODECS[a.codec] if a.codec else None
    quiet = None
    while True:
        if len(got) >= len(want) and quiet is None:
            quiet = time.monotonic() + 1.0     # anything more is too much
        f = c.frame(quiet)
        if f is None:
            break
        key, body = f
        if key != 0x0008:
            continue
        try:
            walk_chunk(body[1:], got, stats, want_codec)
        except (ValueError, OSError, EOFError, zlib.error,
                snappy.UncompressError, RuntimeError,
                zstandard.ZstdError) as e:
            sys.exit("chunk %d: %s" % (stats["next"], e))
        c.records = len(got)
        c.send(0x0009, b"\x01" + u16(1))                  # Credit
    bad = 0
    for i, (rec, exp) in enumerate(zip(got, want)):
        if not a.raw:
            m = Message()
            try:
                m.decode(rec)
                body = m.body
                rec = bytes(body) if isinstance(body, (bytes, memoryview)) \
                    else body
            except Exception as e:  # proton raises its own errors
                rec = "not an AMQP message: %s" % e
        if rec != exp:
            bad += 1
            if bad <= 5:
                print("record %d: got %r, expected %r" % (i, rec[:80], exp[:80]))
    if len(got) != len(want):
        print("got %d records, expected %d" % (len(got), len(want)))
        bad += 1
    if want_codec is not None and stats["simple"] > 0:
        print("%d records were not in batches" % stats["simple"])
        bad += 1
    if a.max_batch is not None and stats["largest"] > a.max_batch:
        print("a batch of %d records, more than %d" % (stats["largest"],
                                                      a.max_batch))
        bad += 1
    print("records %d, batches %d (codecs %s), simple entries %d, largest batch %d"
          % (len(got), stats["batches"], ",".join(sorted(stats["codecs"])) or "-",
             stats["simple"], stats["largest"]))
    if a.sizes:
        print("batch bytes %d uncompressed, %d sent (%.3f)" %
              (stats["ulen"], stats["clen"],
               stats["clen"] / stats["ulen"] if stats["ulen"] else 0))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
