"""loglines.py COUNT: COUNT syslog-like lines (RFC 3164 style: timestamp,
host, program[pid], message) on stdout, for the codec runs of bench/run.sh.
Hosts, programs, pids and messages vary the way a real log's do (a
seeded choice among templates with numbers, addresses, paths and user
names filled in); no random bytes. About 100 bytes a line on average.
The same COUNT gives the same lines."""
import random
import sys

rng = random.Random(13)
hosts = ["web-%02d" % i for i in range(1, 25)] + \
    ["db-%d.prod" % i for i in range(1, 6)] + ["cache-%s" % c for c in "abcdef"] + \
    ["worker-%03d" % i for i in range(1, 40)]
progs = ["sshd", "nginx", "kernel", "systemd", "cron", "postfix/smtpd",
         "dockerd", "rabbitmq", "haproxy", "sudo", "postgres", "app-api"]
users = ["alice", "bob", "deploy", "root", "www-data", "backup", "carol", "ci"]
paths = ["/api/v1/orders", "/api/v1/users/%d", "/healthz", "/static/app.%s.js",
         "/login", "/api/v2/search?q=%s", "/metrics", "/cart/%d/items"]
words = ["timeout", "refused", "reset by peer", "ok", "retrying", "degraded",
         "slow query", "cache miss", "rotated", "evicted"]
months = ["Dec"]


def ip():
    return "10.%d.%d.%d" % (rng.randrange(8), rng.randrange(256), rng.randrange(1, 255))


def path():
    p = rng.choice(paths)
    if "%d" in p:
        return p % rng.randrange(1, 99999)
    if "%s" in p:
        return p % rng.choice(["a1f3", "9bc2", "shoes", "red+dress", "e77d"])
    return p


msgs = [
    lambda: "Accepted publickey for %s from %s port %d ssh2" % (rng.choice(users), ip(), rng.randrange(1024, 65535)),
    lambda: "Failed password for invalid user %s from %s port %d ssh2" % (rng.choice(users), ip(), rng.randrange(1024, 65535)),
    lambda: '%s - - "GET %s HTTP/1.1" %d %d "-" "curl/7.88"' % (ip(), path(), rng.choice([200, 200, 200, 304, 404, 502]), rng.randrange(80, 90000)),
    lambda: "Started Session %d of user %s." % (rng.randrange(1, 9999), rng.choice(users)),
    lambda: "(%s) CMD (/usr/local/bin/backup.sh --incremental)" % rng.choice(users),
    lambda: "connect from unknown[%s]" % ip(),
    lambda: "upstream %s while reading response header, upstream: %s:%d" % (rng.choice(words), ip(), rng.choice([8080, 9000, 5432])),
    lambda: "TCP: request_sock_TCP: Possible SYN flooding on port %d. Sending cookies." % rng.choice([80, 443, 5552]),
    lambda: "duration: %d.%03d ms  statement: SELECT * FROM orders WHERE id = %d" % (rng.randrange(0, 900), rng.randrange(1000), rng.randrange(1, 10**6)),
    lambda: "container %012x health status %s" % (rng.getrandbits(48), rng.choice(["healthy", "unhealthy"])),
    lambda: "accepting AMQP connection <0.%d.0> (%s:%d -> 10.0.0.5:5672)" % (rng.randrange(100, 99999), ip(), rng.randrange(1024, 65535)),
]


def main():
    n = int(sys.argv[1])
    out = []
    sec = 0
    for i in range(n):
        sec += rng.randrange(0, 2)
        ts = "%s %2d %02d:%02d:%02d" % (months[0], 7, (sec // 3600) % 24, (sec // 60) % 60, sec % 60)
        prog = rng.choice(progs)
        out.append("%s %s %s[%d]: %s\n" % (ts, rng.choice(hosts), prog, rng.randrange(300, 65000), rng.choice(msgs)()))
        if len(out) == 10000:
            sys.stdout.write("".join(out))
            out = []
    sys.stdout.write("".join(out))


main()
