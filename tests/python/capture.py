#!/usr/bin/python3
"""Record what a real broker sends: a TCP proxy that forwards one client
connection to the broker and writes each frame the broker sends to its own
file, OUTDIR/NN-KEY.bin (the frame without its 4-byte size prefix).

  capture.py BROKER_PORT OUTDIR      prints the port to connect to

Used once to make tests/fixtures from RabbitMQ 3.10.8; kept so they can be
made again.
"""
import os
import socket
import struct
import sys
import threading


def pump(src, dst, record, outdir):
    buf = b""
    n = 0
    while True:
        data = src.recv(65536)
        if not data:
            break
        dst.sendall(data)
        if not record:
            continue
        buf += data
        while len(buf) >= 4:
            size = struct.unpack(">I", buf[:4])[0]
            if len(buf) < 4 + size:
                break
            frame = buf[4:4 + size]
            key = struct.unpack(">H", frame[:2])[0]
            with open(os.path.join(outdir, "%02d-%04x.bin" % (n, key)), "wb") as f:
                f.write(frame)
            n += 1
            buf = buf[4 + size:]
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", port))
    t = threading.Thread(target=pump, args=(c, s, False, outdir))
    t.start()
    pump(s, c, True, outdir)
    t.join()


if __name__ == "__main__":
    main()
