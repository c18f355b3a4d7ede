#!/usr/bin/python3
"""Seed the fuzz corpora from the frames captured from RabbitMQ 3.10.8 in
tests/fixtures/3.10.8 (see tests/python/capture.py), plus a few hand-made
inputs. Run from the top of the tree; rewrites fuzz/corpus/*/seed-*.
"""
import glob
import os
import struct

FIX = "tests/fixtures/3.10.8"
OUT = "fuzz/corpus"


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def records(chunk):
    """The records of an uncompressed chunk (simple entries only)."""
    n = struct.unpack(">I", chunk[36:40])[0]
    data, pos, out = chunk[48:48 + n], 0, []
    while pos + 4 <= len(data) and not data[pos] & 0x80:
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        out.append(data[pos + 4:pos + 4 + size])
        pos += 4 + size
    return out


def main():
    for f in glob.glob(os.path.join(OUT, "*", "seed-*")):
        os.remove(f)
    sessions = {}
    for path in sorted(glob.glob(os.path.join(FIX, "*.bin"))):
        name = os.path.basename(path)[:-4]
        frame = open(path, "rb").read()
        put("frame", name, frame)
        sessions.setdefault(name.split("-")[0], []).append(frame)
        key = struct.unpack(">H", frame[:2])[0]
        if key == 0x0008:
            chunk = frame[5:]
            put("chunk", name, chunk)
            for i, rec in enumerate(records(chunk)):
                put("amqp", "%s-%d" % (name, i), rec)
    for session, frames in sessions.items():
        stream = b"".join(struct.pack(">I", len(f)) + f for f in frames)
        for step in (0, 6, 255):
            put("reader", "%s-step%d" % (session, step), bytes([step]) + stream)
    for i, s in enumerate([
            b"rabbitmq-stream://guest:guest@localhost:5552/%2f",
            b"rabbitmq-stream+tls://u:p%40ss@[::1]:5551/vhost",
            b"first", b"last", b"next", b"12345", b"500mb", b"1GiB",
            b"20gb", b"1h30m", b"7d", b"18446744073709551615"]):
        put("spec", "%02d" % i, s)
    for i, s in enumerate([
            b"\x00\x00line one\nline two\n\nlast",
            b"\x01\x05\r\na\r\nb\r\n\r\nc",
            b"\x00\xff\x00a\x00b\x00",
            b"\x03\x01-->x-->y-->-->",
            # byte 0: delimiter length - 1 (bits 0-1), framing (bits 2-3:
            # 1 be32, 2 whole), skip oversize (bit 4), max_record (bits 5-6:
            # 64, 3, 0, 17), files of 2 * step + 1 bytes (bit 7)
            b"\x04\x00\n\0\0\0\x02ab\0\0\0\x00\0\0\0\x03xyz",
            b"\x34\x02\n\0\0\0\x02ab\0\0\0\x05abcde\0\0\0\x01z"
            b"\0\0\0\x09abc",
            b"\x04\x03\n\0\0\0\x05ab",
            b"\x88\x02\nhello world, whole files\n",
            b"\xb8\x01\nabcdefghijklmnop",
            b"\x31\x00\r\nab\r\nabcdefg\r\ncd\r\nxyzw",
            b"\xb1\x04--abcdefg--x---y-z--",
            b"\x84\x01\n\0\0\0\x01a\0\0\0\x00z"]):
        put("input", "%02d" % i, s)
    put("amqp", "hello-raw", b"Hello, World!")
    put("amqp", "value-str8", b"\x00\x53\x77\xa1\x05hello")
    put("amqp", "value-ulong", b"\x00\x53\x77\x80" + struct.pack(">Q", 42))
    # Filter values (rstream-tail --filter): an application property, a
    # message annotation, binary, an integer, a map that runs past.
    fv = b"\xa1\x15x-stream-filter-value"
    fs = b"\xa3\x15x-stream-filter-value"
    data = b"\x00\x53\x75\xa0\x01z"
    put("amqp", "filter-app", b"\x00\x53\x74\xc1\x1c\x02" + fv +
        b"\xa1\x02eu" + data)
    put("amqp", "filter-annotation", b"\x00\x53\x72\xc1\x1c\x02" + fs +
        b"\xa1\x02us" + data)
    put("amqp", "filter-binary", b"\x00\x53\x74\xc1\x1c\x02" + fv +
        b"\xa0\x02eu" + data)
    put("amqp", "filter-integer", b"\x00\x53\x74\xc1\x1a\x02" + fv +
        b"\x54\x07" + data)
    put("amqp", "filter-past", b"\x00\x53\x74\xc1\x30\xff" + fv + data)


if __name__ == "__main__":
    main()
