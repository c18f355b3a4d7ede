"""Sub-entry batch bodies as the RabbitMQ stream clients write them, made
with Debian's python3 modules (gzip, snappy, lz4.frame, zstandard, crcmod),
independently of our C code. Used by fuzz/make-subentry-corpus.py (the
fuzz seeds and the unit tests' interop inputs) and tests/python/subentry_pub.py
(batches published to a real broker).

The framings (details and sources in src/codec.c):
  java     gzip: one member (GZIPOutputStream, level 6); snappy: the framing
           format as xerial's SnappyFramedOutputStream writes it (64 KiB
           chunks, compressed only at 85% or less, else stored); lz4: one
           frame of independent 64 KiB blocks, no checksums, no content size
           (lz4-java LZ4FrameOutputStream as the client sets it up); zstd: one
           frame, level 3, no checksum, no content size (zstd-jni streaming)
  go       gzip member; snappy framed as golang/snappy's buffered writer
           (stored unless 12.5% smaller); lz4 frame with a content checksum
           and 4 MiB blocks (pierrec/lz4 v2); zstd frame with a checksum and
           the content size (klauspost/compress)
  python   gzip.compress() at its default level 9 (rstream); raw snappy
           (snappy.compress(), what a codec registered with rstream would
           use); lz4.frame.compress() and zstandard's defaults

Debian's python3-snappy 0.5.3 cannot make framed streams on Python 3.11
(its StreamCompressor fails with "PY_SSIZE_T_CLEAN macro must be defined"),
so the framing format is written here, on snappy.compress() for the blocks
and crcmod's CRC-32C for the checksums.
"""
import gzip
import io
import struct

import crcmod.predefined
import lz4.frame
import snappy
import zstandard

NONE, GZIP, SNAPPY, LZ4, ZSTD = range(5)
NAMES = {"none": NONE, "gzip": GZIP, "snappy": SNAPPY, "lz4": LZ4, "zstd": ZSTD}

_crc32c = crcmod.predefined.mkCrcFun("crc-32c")
SNAPPY_IDENT = b"\xff\x06\x00\x00sNaPpY"


def masked_crc32c(data):
    c = _crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records_body(records):
    """The uncompressed body of a batch: u32 size + bytes, each record."""
    return b"".join(struct.pack(">I", len(r)) + r for r in records)


def snappy_chunk(kind, payload):
    return bytes([kind]) + struct.pack("<I", len(payload))[:3] + payload


def snappy_framed(data, ratio=0.85, block=65536, extra=False):
    """The framing format: xerial's 85% rule by default; with extra, a
    padding chunk, a skippable chunk and a second stream identifier too."""
    out = [SNAPPY_IDENT]
    if extra:
        out.append(snappy_chunk(0xFE, b"\0" * 5))
        out.append(snappy_chunk(0x80, b"skip me"))
    for pos in range(0, len(data), block):
        b = data[pos:pos + block]
        crc = struct.pack("<I", masked_crc32c(b))
        z = snappy.compress(b)
        if len(z) <= len(b) * ratio:
            out.append(snappy_chunk(0x00, crc + z))
        else:
            out.append(snappy_chunk(0x01, crc + b))
        if extra:
            out.append(SNAPPY_IDENT)
    return b"".join(out)


def gzip_member(data, level=6):
    return gzip.compress(data, compresslevel=level, mtime=0)


def gzip_named(data):
    """A member with a file name in its header (FNAME)."""
    f = io.BytesIO()
    with gzip.GzipFile(filename="batch", mode="wb", fileobj=f, mtime=0) as g:
        g.write(data)
    return f.getvalue()


def lz4_java(data):
    return lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB,
                              block_linked=False, content_checksum=False,
                              store_size=False)


def lz4_go(data):
    return lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX4MB,
                              block_linked=False, content_checksum=True,
                              store_size=False)


def zstd_java(data):
    """One frame without content size or checksum, as zstd-jni streams it."""
    c = zstandard.ZstdCompressor(level=3, write_content_size=False,
                                 write_checksum=False)
    o = c.compressobj()
    return o.compress(data) + o.flush()


def zstd_go(data):
    return zstandard.ZstdCompressor(level=3, write_checksum=True,
                                    write_content_size=True).compress(data)


# (codec, style) -> body maker; "java" is what the Java client writes.
STYLES = {
    (GZIP, "java"): gzip_member,
    (GZIP, "go"): lambda d: gzip_member(d, 6),
    (GZIP, "python"): lambda d: gzip_member(d, 9),
    (GZIP, "two-members"): lambda d: gzip_member(d[:len(d) // 2]) +
    gzip_member(d[len(d) // 2:]),
    (GZIP, "named"): gzip_named,
    (SNAPPY, "java"): snappy_framed,
    (SNAPPY, "go"): lambda d: snappy_framed(d, ratio=0.875),
    (SNAPPY, "raw"): snappy.compress,
    (SNAPPY, "extra-chunks"): lambda d: snappy_framed(d, extra=True),
    (LZ4, "java"): lz4_java,
    (LZ4, "java-2021"): lambda d: lz4.frame.compress(
        d, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=False,
        store_size=True),
    (LZ4, "commons"): lambda d: lz4.frame.compress(
        d, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=False,
        content_checksum=True, store_size=False),
    (LZ4, "go"): lz4_go,
    (LZ4, "python"): lz4.frame.compress,
    (LZ4, "two-frames"): lambda d: lz4_java(d[:len(d) // 2]) +
    lz4_java(d[len(d) // 2:]),
    (ZSTD, "java"): zstd_java,
    (ZSTD, "go"): zstd_go,
    (ZSTD, "python"): lambda d: zstandard.ZstdCompressor().compress(d),
    (ZSTD, "two-frames"): lambda d: zstd_java(d[:len(d) // 2]) +
    zstd_go(d[len(d) // 2:]),
}


def compress(codec, data, style="java"):
    if codec == NONE:
        return data
    return STYLES[(codec, style)](data)


def syslog_lines(n, seed=1):
    """n syslog-like lines, the same for the same seed (an LCG, no random)."""
    hosts = [b"web01", b"web02", b"db1", b"cache3"]
    procs = [b"sshd[1234]", b"nginx[88]", b"kernel", b"CRON[4242]",
             b"systemd[1]"]
    x = seed
    out = []
    for _ in range(n):
        vals = []
        for _ in range(10):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            vals.append(x)
        out.append(b"<%d>Nov %2d %02d:%02d:%02d %s %s: session %d opened "
                   b"for user u%03d from 10.0.%d.%d port %d" % (
                       vals[0] % 191, 1 + vals[1] % 30, vals[2] % 24,
                       vals[3] % 60, vals[4] % 60, hosts[vals[5] % 4],
                       procs[vals[6] % 5], vals[7], vals[8] % 500,
                       vals[9] % 256, vals[7] % 256, 1024 + vals[8] % 60000))
    return out
