#!/usr/bin/python3
"""Seed fuzz/corpus/subentry with real sub-entry batch bodies, written by
Debian's python3 gzip, snappy, lz4.frame and zstandard modules in the
framings the Java, Go and Python clients write (tests/python/subentry_codecs.py),
and with broken ones. Run from the top of the tree; rewrites
fuzz/corpus/subentry/batch-* (what the fuzzer added stays).

It also writes fuzz/corpus/chunk/subentry-*: whole chunks holding such
batches between simple entries, for fuzz/fuzz-chunk.c.

Each file in fuzz/corpus/subentry is what fuzz/fuzz-subentry.c takes: the compression type (1 byte),
the uncompressed length the batch header declares (u32, big-endian), the
body. Names end in -ok (must decode, to records), -bad (must not) or -any
(either): tests/unit/test-codec.c checks.
"""
import glob
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "python"))
import subentry_codecs as sc  # noqa: E402

OUT = "fuzz/corpus/subentry"
CHUNKS = "fuzz/corpus/chunk"


def put(name, codec, dlen, body):
    with open(os.path.join(OUT, "batch-" + name), "wb") as f:
        f.write(bytes([codec]) + struct.pack(">I", dlen) + body)


def put_chunk(name, entries, nrecords, first=1000):
    """A whole osiris chunk (fuzz-chunk's input) of the given entries."""
    data = b"".join(entries)
    head = struct.pack(">BBHIqQQIII", 0x50, 0, len(entries), nrecords,
                       1700000000000, 1, first, zlib.crc32(data), len(data),
                       0) + b"\0" * 4
    with open(os.path.join(CHUNKS, "subentry-" + name), "wb") as f:
        f.write(head + data)


def batch_entry(codec, records, style="java"):
    plain = sc.records_body(records)
    body = sc.compress(codec, plain, style)
    return struct.pack(">BHII", 0x80 | codec << 4, len(records), len(plain),
                       len(body)) + body


def zstd_rle_bomb(total, fcs=None):
    """A zstd frame of RLE blocks of zeros: 4 bytes per 128 KiB."""
    if fcs is None:
        head = b"\x28\xb5\x2f\xfd" + bytes([0x00, 0x58])   # window 128 MiB
    else:
        head = b"\x28\xb5\x2f\xfd" + bytes([0xC0, 0x58]) + \
            struct.pack("<Q", fcs)
    blocks, left = [], total
    while left > 0:
        n = min(left, 128 << 10)
        left -= n
        last = 1 if left == 0 else 0
        blocks.append(struct.pack("<I", (n << 3) | (1 << 1) | last)[:3] +
                      b"\0")
    return head + b"".join(blocks)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(os.path.join(OUT, "batch-*")) + \
            glob.glob(os.path.join(CHUNKS, "subentry-*")):
        os.remove(f)
    sets = {
        "1": [b"one record"],
        "10": sc.syslog_lines(10, 7),
        "100": sc.syslog_lines(100, 1),
        "1000": sc.syslog_lines(1000, 3),     # 120 KiB: several blocks
        "empty-records": [b"", b"", b"x", b""],
    }
    for (codec, style), make in sorted(sc.STYLES.items()):
        name = [k for k, v in sc.NAMES.items() if v == codec][0]
        for label, recs in sets.items():
            if label == "1000" and style not in ("java", "go"):
                continue
            data = sc.records_body(recs)
            body = make(data)
            put("%s-%s-%s-ok" % (name, style, label), codec, len(data), body)
    # Incompressible records: snappy stores them, lz4 stores its blocks.
    x, noise = 12345, bytearray()
    for _ in range(70000):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        noise.append(x >> 16 & 0xFF)
    data = sc.records_body([bytes(noise)])
    for codec in (sc.GZIP, sc.SNAPPY, sc.LZ4, sc.ZSTD):
        name = [k for k, v in sc.NAMES.items() if v == codec][0]
        put("%s-java-noise-ok" % name, codec, len(data),
            sc.compress(codec, data))

    # Broken: one of each per codec, on the 10-record batch.
    data = sc.records_body(sets["10"])
    for codec in (sc.GZIP, sc.SNAPPY, sc.LZ4, sc.ZSTD):
        name = [k for k, v in sc.NAMES.items() if v == codec][0]
        body = sc.compress(codec, data)
        put("%s-truncated-bad" % name, codec, len(data), body[:-1])
        put("%s-trailing-bad" % name, codec, len(data), body + b"\x01")
        put("%s-claims-less-bad" % name, codec, len(data) - 1, body)
        put("%s-claims-more-bad" % name, codec, len(data) + 1, body)
        # Corrupt where a checksum must catch it (the Go framings have
        # LZ4 and zstd checksums; the Java ones would decode to garbage).
        mid = bytearray(sc.compress(codec, data, "go"))
        mid[len(mid) // 2] ^= 0xFF
        put("%s-corrupt-mid-bad" % name, codec, len(data), bytes(mid))
        mid = bytearray(body)
        mid[len(mid) // 2] ^= 0xFF
        put("%s-corrupt-java-any" % name, codec, len(data), bytes(mid))
    for t in (5, 6, 7):
        put("type%d-bad" % t, t, len(data), sc.compress(sc.GZIP, data))
    put("none-claims-more-bad", sc.NONE, len(data) + 1, data)
    # Checksums that do not match the data.
    body = bytearray(sc.snappy_framed(data))
    body[14] ^= 0x01                    # the first chunk's masked CRC-32C
    put("snappy-crc-bad", sc.SNAPPY, len(data), bytes(body))
    body = bytearray(sc.gzip_member(data))
    body[-5] ^= 0x01                    # the member's CRC-32
    put("gzip-crc-bad", sc.GZIP, len(data), bytes(body))
    body = bytearray(sc.lz4_go(data))
    body[-1] ^= 0x01                    # the content checksum
    put("lz4-checksum-bad", sc.LZ4, len(data), bytes(body))
    body = bytearray(sc.zstd_go(data))
    body[-1] ^= 0x01                    # the frame checksum
    put("zstd-checksum-bad", sc.ZSTD, len(data), bytes(body))
    body = sc.SNAPPY_IDENT + sc.snappy_chunk(0x05, b"reserved")
    put("snappy-reserved-chunk-bad", sc.SNAPPY, 0, body)
    # Bombs: a little that inflates to much more than declared.
    put("zstd-bomb-4g-bad", sc.ZSTD, 1024, zstd_rle_bomb(4 << 30))
    put("zstd-bomb-fcs-bad", sc.ZSTD, 1024, zstd_rle_bomb(64 << 20, 1024))
    put("gzip-bomb-bad", sc.GZIP, 1024, sc.gzip_member(bytes(1 << 20)))
    put("lz4-bomb-bad", sc.LZ4, 1024, sc.lz4_java(bytes(1 << 20)))
    put("snappy-bomb-bad", sc.SNAPPY, 1024, sc.snappy_framed(bytes(1 << 20)))

    # Chunks for fuzz-chunk: a simple entry, a compressed batch, another.
    simple = struct.pack(">I", 3) + b"abc"
    for (codec, style) in sorted(sc.STYLES):
        name = [k for k, v in sc.NAMES.items() if v == codec][0]
        put_chunk("%s-%s" % (name, style), [
            simple, batch_entry(codec, sets["10"], style), simple], 12)
    put_chunk("mixed", [batch_entry(sc.GZIP, sets["10"]),
                        batch_entry(sc.ZSTD, sets["1"]),
                        batch_entry(sc.NONE, sets["empty-records"]),
                        batch_entry(sc.LZ4, sets["100"]),
                        batch_entry(sc.SNAPPY, sets["10"])], 125)


if __name__ == "__main__":
    main()
