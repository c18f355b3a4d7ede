#!/usr/bin/python3
"""lbproxy.py: a round-robin TCP load balancer for the cluster tests.

Listens on one port of 127.0.0.1 and sends each new connection to the next
backend port (of 127.0.0.1) in turn, the first connection to the first
backend, as a TCP load balancer in front of a cluster would (HAProxy
"balance roundrobin", a Kubernetes Service). It knows nothing of the
stream protocol: bytes go through unchanged, TLS included.

Usage:
    lbproxy.py run STATE BACKEND_PORT...   serve until SIGTERM or SIGINT
    lbproxy.py show STATE                  print the state, one line per
                                           connection, then the counts

STATE is a JSON file, rewritten (atomically) before the listening port is
announced and after every connection opens or closes:
    {"port": P, "backends": [B1, ...], "counts": [N1, ...], "active": A,
     "failed": F,
     "connections": [{"backend": I, "up": BYTES, "down": BYTES,
                      "open": BOOL}, ...]}
counts[i-1] is how many connections went to backend I (1-based), up the
bytes from the client to the backend, down the other way; failed counts
connections whose backend refused. `run` prints the listening port on
stdout once it listens.
"""
import json
import os
import signal
import socket
import sys
import threading


class Proxy:
    def __init__(self, state, backends):
        self.state = state
        self.backends = backends
        self.lock = threading.Lock()
        self.conns = []
        self.failed = 0
        self.next = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]

    def save(self):
        """Write the state file (callers hold the lock)."""
        counts = [0] * len(self.backends)
        for c in self.conns:
            counts[c["backend"] - 1] += 1
        doc = {
            "port": self.port,
            "backends": self.backends,
            "counts": counts,
            "active": sum(1 for c in self.conns if c["open"]),
            "failed": self.failed,
            "connections": self.conns,
        }
        tmp = "%s.tmp.%d" % (self.state, os.getpid())
        with open(tmp, "w") as f:
            json.dump(doc, f)
        os.replace(tmp, self.state)

    def pump(self, src, dst, rec, key, done):
        """Copy src to dst until EOF or an error; then half-close dst."""
        try:
            while True:
                b = src.recv(65536)
                if not b:
                    break
                dst.sendall(b)
                with self.lock:
                    rec[key] += len(b)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        done()

    def serve_one(self, client):
        with self.lock:
            i = self.next
            self.next = (self.next + 1) % len(self.backends)
        try:
            backend = socket.create_connection(("127.0.0.1", self.backends[i]))
        except OSError:
            client.close()
            with self.lock:
                self.failed += 1
                self.save()
            return
        for s in (client, backend):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rec = {"backend": i + 1, "up": 0, "down": 0, "open": True}
        left = [2]

        def done():
            with self.lock:
                left[0] -= 1
                if left[0] > 0:
                    return
                rec["open"] = False
                self.save()
            client.close()
            backend.close()

        with self.lock:
            self.conns.append(rec)
            self.save()
        for a, b, key in ((client, backend, "up"), (backend, client, "down")):
            threading.Thread(target=self.pump, args=(a, b, rec, key, done),
                             daemon=True).start()

    def run(self):
        with self.lock:
            self.save()
        print(self.port, flush=True)
        while True:
            client, _ = self.listener.accept()
            self.serve_one(client)


def show(state):
    with open(state) as f:
        doc = json.load(f)
    for n, c in enumerate(doc["connections"], 1):
        print("connection %d: backend %d (port %d), %d bytes up, %d down, %s"
              % (n, c["backend"], doc["backends"][c["backend"] - 1], c["up"],
                 c["down"], "open" if c["open"] else "closed"))
    print("counts %s active %d failed %d"
          % (" ".join(map(str, doc["counts"])), doc["active"], doc["failed"]))


def main(argv):
    if len(argv) >= 4 and argv[1] == "run":
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            Proxy(argv[2], [int(p) for p in argv[3:]]).run()
        except KeyboardInterrupt:
            pass
        return 0
    if len(argv) == 3 and argv[1] == "show":
        show(argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
