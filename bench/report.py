"""report.py RESULTS.tsv [LATENCY]: the table of bench/run.sh. Each row:
median (min-max) over the runs; ratio = this tool's median rate / the
reference client's (ref-pub/ref-pub --amqp for publishing, ref-sub for
consuming) in the same group."""
import os
import statistics
import sys

rows = {}
order = []
for line in open(sys.argv[1]):
    g, tool, n, nbytes, tm = line.rstrip("\n").split("\t")
    wall, user, sysc, rss = tm.split()
    n, nbytes, wall = int(n), int(nbytes), float(wall)
    cpu = float(user) + float(sysc)
    key = (g, tool)
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append(dict(rate=n / wall, mbs=nbytes / wall / 1e6,
                          cpu=cpu / (n / 1e6), rss=int(rss) / 1024))


def med(key, f):
    v = [r[f] for r in rows[key]]
    return statistics.median(v), min(v), max(v)


def ref_of(g, tool):
    if g.startswith("consume"):
        return (g, "ref-sub")
    amqp = "--raw" not in tool and tool != "ref-pub"
    return (g, "ref-pub --amqp" if amqp else "ref-pub")


hdr = "%-38s %-18s %22s %16s %20s %16s %7s" % (
    "test", "tool", "records/s", "MB/s", "CPU s/M records", "peak RSS MiB", "ratio")
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
    ratio = rate[0] / med(ref, "rate")[0] if ref in rows else float("nan")
    cols = []
    for f, fmt in (("rate", "%.0f"), ("mbs", "%.1f"), ("cpu", "%.3f"), ("rss", "%.1f")):
        m, lo, hi = med(key, f)
        cols.append((fmt + " (" + fmt + "-" + fmt + ")") % (m, lo, hi))
    print("%-38s %-18s %22s %16s %20s %16s %7.2f" % (g, tool, *cols, ratio))

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
