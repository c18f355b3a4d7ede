"""report.py RESULTS.tsv [LATENCY]: the table of bench/run.sh. Each row:
median (min-max) over the runs; ratio = this tool's median rate / the
reference client's (ref-pub/ref-pub --amqp for publishing, ref-sub for
consuming) in the same group, over TLS the reference client over TLS.
Then, when there were TLS runs, each TLS figure beside the same tool's
over TCP in the same group: TLS / TCP, for the tools and for the
reference clients (what the broker's TLS costs any client)."""
import os
import statistics
import sys

rows = {}
order = []
for line in open(sys.argv[1]):
    g, tool, n, nbytes, tm = line.rstrip("\n").split("\t")
    wall, user, sysc, rss, broker = tm.split()
    n, nbytes, wall = int(n), int(nbytes), float(wall)
    cpu = float(user) + float(sysc)
    key = (g, tool)
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append(dict(rate=n / wall, mbs=nbytes / wall / 1e6,
                          cpu=cpu / (n / 1e6), rss=int(rss) / 1024,
                          broker=float(broker) / (n / 1e6) if broker != "-" else None))


def med(key, f):
    v = [r[f] for r in rows[key] if r[f] is not None]
    if not v:
        return None
    return statistics.median(v), min(v), max(v)


def ref_of(g, tool):
    """The reference a tool is measured against: over TLS, the reference
    client over TLS ("ref-sub TLS", "ref-pub --amqp TLS")."""
    tls = " TLS" if tool.endswith(" TLS") else ""
    if g.startswith("consume"):
        return (g, "ref-sub" + tls)
    base = tool[:-len(tls)] if tls else tool
    amqp = "--raw" not in base and base != "ref-pub"
    return (g, ("ref-pub --amqp" if amqp else "ref-pub") + tls)


hdr = "%-38s %-18s %22s %16s %20s %16s %20s %7s" % (
    "test", "tool", "records/s", "MB/s", "CPU s/M records", "peak RSS MiB",
    "broker CPU s/M", "ratio")
print(hdr)
print("-" * len(hdr))
last = None
for key in order:
    g, tool = key
    if last is not None and g != last:
        print()
    last = g
    rate = med(key, "rate")
    ref = ref_of(g, tool)
    ratio = "%.2f" % (rate[0] / med(ref, "rate")[0]) if ref in rows else "-"
    cols = []
    for f, fmt in (("rate", "%.0f"), ("mbs", "%.1f"), ("cpu", "%.3f"),
                   ("rss", "%.1f"), ("broker", "%.2f")):
        s = med(key, f)
        cols.append((fmt + " (" + fmt + "-" + fmt + ")") % s if s else "-")
    print("%-38s %-18s %22s %16s %20s %16s %20s %7s" % (g, tool, *cols, ratio))

p99 = None
if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
    lat = [l.split() for l in open(sys.argv[2]) if l.strip()]
    if lat:
        p50 = [float(x[0]) for x in lat]
        p99 = [float(x[1]) for x in lat]
        print()
        print("latency rstream-cat | rstream-tail -f, 1 record / 10 ms, %d runs of %s records:"
              % (len(lat), lat[0][2]))
        print("  p50 %.2f ms (%.2f-%.2f)   p99 %.2f ms (%.2f-%.2f)" % (
            statistics.median(p50), min(p50), max(p50),
            statistics.median(p99), min(p99), max(p99)))

# TLS against TCP (issue 12): "TOOL TLS" beside "TOOL" in each group.
TLS_WANT = 0.8
tls_pairs = [(g, t[:-4], t) for g, t in order if t.endswith(" TLS")
             and (g, t[:-4]) in rows]


def fmt_med(key, f, fmt):
    m = med(key, f)
    return fmt % m[0] if m else "-"


if tls_pairs:
    print()
    print("TLS / TCP, the same tool in the same group (medians):")
    h = "%-41s %-15s %10s %10s %6s %9s %9s %10s %10s" % (
        "test", "tool", "TCP rec/s", "TLS rec/s", "ratio", "TCP CPU",
        "TLS CPU", "TCP broker", "TLS broker")
    print(h)
    print("-" * len(h))
    for g, tcp, tls in tls_pairs:
        r = med((g, tls), "rate")[0] / med((g, tcp), "rate")[0]
        print("%-41s %-15s %10.0f %10.0f %6.2f %9s %9s %10s %10s" % (
            g, tcp, med((g, tcp), "rate")[0], med((g, tls), "rate")[0], r,
            fmt_med((g, tcp), "cpu", "%.3f"), fmt_med((g, tls), "cpu", "%.3f"),
            fmt_med((g, tcp), "broker", "%.2f"),
            fmt_med((g, tls), "broker", "%.2f")))
    print("(CPU: client user+sys s per million records; broker: the private "
          "broker's CPU s per million)")

# The targets of issue 7, on 100-byte bodies (bench/README.md).
def find(prefix, tool):
    for g, t in order:
        if g.startswith(prefix) and t == tool:
            return (g, t)
    return None


checks = []


def ratio_check(prefix, tool, want):
    key = find(prefix, tool)
    if key is None:
        return
    ref = ref_of(*key)
    if ref in rows:
        r = med(key, "rate")[0] / med(ref, "rate")[0]
        checks.append(("%s, %s: rate / %s >= %.2f" % (key[0], tool, ref[1], want),
                       "%.2f" % r, r >= want))


def cpu_check(prefix, tool, want):
    key = find(prefix, tool)
    if key is not None:
        c = med(key, "cpu")[0]
        checks.append(("%s, %s: CPU s per million <= %.2f" % (key[0], tool, want),
                       "%.3f" % c, c <= want))


ratio_check("publish 100B", "rstream-cat", 0.95)
ratio_check("publish 100B", "rstream-cat --raw", 0.95)
ratio_check("consume 100B small", "rstream-tail", 0.90)
ratio_check("consume 100B large", "rstream-tail", 0.90)
cpu_check("publish 100B", "rstream-cat", 0.2)
cpu_check("consume 100B small", "rstream-tail", 0.2)
cpu_check("consume 100B large", "rstream-tail", 0.2)
ours = [k for k in order if k[1].startswith("rstream-")]
if ours:
    worst = max(max(r["rss"] for r in rows[k]) for k in ours)
    checks.append(("peak RSS of either tool, any test <= 32 MiB",
                   "%.1f MiB" % worst, worst <= 32))
for g, tcp, tls in tls_pairs:
    if tcp.startswith("ref-"):
        continue
    r = med((g, tls), "rate")[0] / med((g, tcp), "rate")[0]
    checks.append(("%s, %s: TLS / TCP >= %.1f" % (g, tcp, TLS_WANT),
                   "%.2f" % r, r >= TLS_WANT))
if p99 is not None:
    checks.append(("latency p99 <= 5 ms", "%.2f ms" % statistics.median(p99),
                   statistics.median(p99) <= 5))
if checks:
    print()
    print("targets (medians):")
    for what, got, ok in checks:
        print("  %-72s %10s  %s" % (what, got, "met" if ok else "MISSED"))
