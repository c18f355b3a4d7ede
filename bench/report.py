"""report.py RESULTS.tsv [LATENCY [STORED]]: the table of bench/run.sh. Each row:
median (min-max) over the runs; ratio = this tool's median rate / the
reference client's (ref-pub/ref-pub --amqp for publishing, ref-sub for
consuming) in the same group, over TLS the reference client over TLS.
Then, when there were TLS runs, each TLS figure beside the same tool's
over TCP in the same group: TLS / TCP, for the tools and for the
reference clients (what the broker's TLS costs any client).

Publish parity (issue 13): in each publish group, rstream-cat against the
better of the two raw publishers (ref-pub --amqp, rstream-cat's framing;
raw-pub --amqp, 100 messages a frame, frames coalesced per write): the
one with the higher rate for the rate, the one with the lower broker CPU
per message for that; per run (the runs are interleaved) and medians.
Then the sub-entry end-to-end row and the codec table; STORED holds
"codec bytes" lines, the stream's segment bytes after each codec run, for
the compressed / uncompressed ratio."""
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
    amqp = "--raw" not in base and base not in ("ref-pub", "raw-pub")
    return (g, ("ref-pub --amqp" if amqp else "ref-pub") + tls)


hdr = "%-38s %-18s %22s %16s %20s %16s %20s %7s" % (
    "test", "tool", "records/s", "MB/s", "CPU s/M records", "peak RSS MiB",
    "broker CPU s/M", "ratio")
print(hdr)
print("-" * len(hdr))
last = None
for key in order:
    g, tool = key
    if g.startswith(("codec ", "sub-entry")):	# their own table below
        continue
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

# Publish parity with a raw client (issue 13).
PARITY_RATE, PARITY_CPU = 0.95, 1.10
parity = []
pgroups = [g for g, t in order if g.startswith("publish ") and t == "rstream-cat"]
for g in pgroups:
    for cat, refs in (("rstream-cat", ("ref-pub --amqp", "raw-pub --amqp")),
                      ("rstream-cat --raw", ("ref-pub", "raw-pub"))):
        refs = [r for r in refs if (g, r) in rows]
        if (g, cat) not in rows or not refs:
            continue
        runs = len(rows[(g, cat)])
        per = []
        for i in range(runs):
            c = rows[(g, cat)][i]
            rs = [rows[(g, r)][i] for r in refs if i < len(rows[(g, r)])]
            best_rate = max(r["rate"] for r in rs)
            bc = [r["broker"] for r in rs if r["broker"]]
            cpu = c["broker"] / min(bc) if bc and c["broker"] else None
            per.append((c["rate"] / best_rate, cpu))
        mr = med((g, cat), "rate")[0] / max(med((g, r), "rate")[0] for r in refs)
        bm = [med((g, r), "broker") for r in refs]
        bm = [b[0] for b in bm if b]
        mc = med((g, cat), "broker")
        mc = mc[0] / min(bm) if mc and bm else None
        parity.append((g, cat, refs, per, mr, mc))

def per_run(g, tool, others):
    """TOOL's per-run rate over the best of OTHERS, broker CPU over the lowest."""
    out = []
    for i in range(len(rows[(g, tool)])):
        c = rows[(g, tool)][i]
        rs = [rows[(g, o)][i] for o in others if i < len(rows[(g, o)])]
        bc = [r["broker"] for r in rs if r["broker"]]
        out.append((c["rate"] / max(r["rate"] for r in rs),
                    c["broker"] / min(bc) if bc and c["broker"] else None))
    return out

# The same test with each raw publisher in rstream-cat's place, against the
# better of the other raw one and rstream-cat: a per-run target means
# something only if the references pass it against each other.
null = []
for g, cat, refs, per, mr, mc in parity:
    if len(refs) < 2:
        continue
    for r in refs:
        others = [o for o in refs if o != r] + [cat]
        null.append((g, r, others, per_run(g, r, others)))
if parity:
    print()
    print("publish parity: rstream-cat / the better raw publisher (rate: the higher; "
          "broker CPU per message: the lower), per run and median:")
    for g, cat, refs, per, mr, mc in parity:
        print("  %s, %s against %s: met in %d of %d runs" % (
            g, cat, " / ".join(refs),
            sum(1 for x, c in per if x >= PARITY_RATE and (c is None or c <= PARITY_CPU)),
            len(per)))
        print("    rate ratio per run:              %s   (medians: %.2f)" % (
            " ".join("%.2f" % r for r, _ in per), mr))
        print("    broker CPU/message ratio per run: %s   (medians: %s)" % (
            " ".join("%.2f" % c if c else "-" for _, c in per),
            "%.2f" % mc if mc else "-"))
    if null:
        print("  the same test with a raw publisher in rstream-cat's place (the references "
              "against each other):")
    for g, r, others, per in null:
        print("    %s, %s against %s: rate %s; broker CPU %s; met in %d of %d runs" % (
            g, r, " / ".join(others), " ".join("%.2f" % x for x, _ in per),
            " ".join("%.2f" % c if c else "-" for _, c in per),
            sum(1 for x, c in per if x >= PARITY_RATE and (c is None or c <= PARITY_CPU)),
            len(per)))

# Sub-entry batches and codecs (issue 13).
stored = {}
if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
    for l in open(sys.argv[3]):
        c, b = l.split()
        if b != "-" and int(b) > 0:
            stored.setdefault(c, []).append(int(b))
sube = [k for k in order if k[0].startswith("sub-entry")]
codecs = [t for g, t in order if g == "codec publish, log lines"]
if sube or codecs:
    print()
    print("sub-entry batches (--sub-entry-size 100):")
    for key in sube:
        r = med(key, "rate")
        print("  %s, %s: %.0f records/s (%.0f-%.0f), client CPU %.3f s/M (both tools), "
              "broker CPU %s s/M" % (key[0], key[1], r[0], r[1], r[2], med(key, "cpu")[0],
                                     fmt_med(key, "broker", "%.2f")))
    for key in sube:
        raw = (key[0], "ref-pub | ref-sub")
        if key[1] == "rstream-cat | rstream-tail" and raw in rows:
            per = [a["rate"] / b["rate"] for a, b in zip(rows[key], rows[raw])]
            print("  rstream-cat | rstream-tail / ref-pub | ref-sub, rate per run: %s (median %.2f)"
                  % (" ".join("%.2f" % x for x in per), statistics.median(per)))
if codecs:
    none = statistics.median(stored["none"]) if "none" in stored else None
    h = "  %-7s %14s %10s %10s %14s %10s %10s %9s" % (
        "codec", "publish rec/s", "cat CPU", "broker", "read rec/s", "tail CPU",
        "broker", "stored")
    print(h)
    print("  " + "-" * (len(h) - 2))
    for c in codecs:
        pk, rk = ("codec publish, log lines", c), ("codec read, log lines", c)
        ratio = "-"
        if none and c in stored:
            ratio = "%.3f" % (statistics.median(stored[c]) / none)
        print("  %-7s %14.0f %10s %10s %14s %10s %10s %9s" % (
            c, med(pk, "rate")[0], fmt_med(pk, "cpu", "%.3f"), fmt_med(pk, "broker", "%.2f"),
            "%.0f" % med(rk, "rate")[0] if rk in rows else "-",
            fmt_med(rk, "cpu", "%.3f"), fmt_med(rk, "broker", "%.2f"), ratio))
    print("  (CPU: s per million records, medians; stored: the stream's segment bytes / "
          "the same with none)")

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
for g, cat, refs, per, mr, mc in parity:
    if not g.startswith("publish 100B"):
        continue
    ok = all(r >= PARITY_RATE for r, _ in per)
    checks.append(("%s, %s: rate / better raw >= %.2f in every run" % (g, cat, PARITY_RATE),
                   "%.2f min" % min(r for r, _ in per), ok))
    cs = [c for _, c in per if c]
    if cs:
        checks.append(("%s, %s: broker CPU / better raw <= %.2f in every run" % (g, cat, PARITY_CPU),
                       "%.2f max" % max(cs), max(cs) <= PARITY_CPU))
for key in sube:
    if key[1] != "rstream-cat | rstream-tail":
        continue
    r = med(key, "rate")[0]
    checks.append(("%s: >= 3,000,000 records/s" % key[0], "%.0f" % r, r >= 3e6))
    raw = (key[0], "ref-pub | ref-sub")
    if raw in rows:
        rr = med(raw, "rate")[0]
        checks.append(("%s: the raw pair, for reference: >= 3,000,000 records/s" % key[0],
                       "%.0f" % rr, rr >= 3e6))
if p99 is not None:
    checks.append(("latency p99 <= 5 ms", "%.2f ms" % statistics.median(p99),
                   statistics.median(p99) <= 5))
if checks:
    print()
    print("targets (medians):")
    for what, got, ok in checks:
        print("  %-72s %10s  %s" % (what, got, "met" if ok else "MISSED"))
