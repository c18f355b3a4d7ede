#!/usr/bin/env python3
"""tests/layers.py [SRCDIR [LIBRSTREAM_A]]: check that src/ keeps its layers.

A TAP program. The layers come from SRCDIR/README (lines "Ln name: stems",
continued on indented lines). It checks:
  - every .c and .h file of SRCDIR is in exactly one layer;
  - every #include "x.h" of SRCDIR goes to the file's own layer or below;
  - the includes form no circle;
  - with LIBRSTREAM_A (or $BUILDDIR/librstream.a when it exists): every
    call from one object to another (nm's undefined and defined rs_
    symbols) goes to its own layer or below, and the calls form no circle
    between files (amqp.c and amqptext.c once called each other).
Then it checks itself: a copy of a tiny tree with a file that includes a
layer above it, and one with a circle, must both be refused.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

LAYER_RE = re.compile(r"^L(\d)\s+([^:]+):\s*(.*)$")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(readme):
    """Map each stem to its layer number, from the README's table."""
    layers = {}
    cur = None
    dup = []
    with open(readme, encoding="utf-8") as f:
        for line in f:
            m = LAYER_RE.match(line)
            if m:
                cur = int(m.group(1))
                words = m.group(3).split()
            elif cur is not None and line.startswith("   ") and \
                    line.strip() and ":" not in line:
                words = line.split()
            elif layers:
                break  # the table ends at its first other line
            else:
                continue
            for w in words:
                if w in layers:
                    dup.append(w)
                layers[w] = cur
    return layers, dup


def stem(name):
    """src/amqp.c -> amqp."""
    return os.path.splitext(os.path.basename(name))[0]


def includes(srcdir):
    """(file, stem it includes) for every #include "..." of srcdir."""
    out = []
    for name in sorted(os.listdir(srcdir)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(srcdir, name), encoding="utf-8") as f:
            for inc in INCLUDE_RE.findall(f.read()):
                if inc == "config.h":
                    continue
                out.append((name, stem(inc)))
    return out


def calls(lib):
    """(object stem, stem it calls) between the objects of an archive."""
    res = subprocess.run(["nm", "-A", lib], capture_output=True, text=True,
                         check=True)
    defs, uses = {}, []
    for line in res.stdout.splitlines():
        parts = line.split()
        obj = stem(parts[0].split(":")[1])
        if parts[-2] == "U":
            uses.append((obj, parts[-1]))
        elif len(parts) == 3 and parts[1] in "TDBR":
            defs[parts[2]] = obj
    return sorted({(o, defs[s]) for o, s in uses
                   if s in defs and defs[s] != o})


def circle(edges):
    """A circle in the graph of stems, as a list, or None."""
    graph = {}
    for a, b in edges:
        if a != b:
            graph.setdefault(a, set()).add(b)
    state = {}

    def visit(n, path):
        state[n] = 1
        path.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                c = visit(m, path)
                if c:
                    return c
        path.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n, [])
            if c:
                return c
    return None


def check(srcdir, lib):
    """The list of (test name, problems) for one tree."""
    layers, dup = read_layers(os.path.join(srcdir, "README"))
    files = sorted(n for n in os.listdir(srcdir) if n.endswith((".c", ".h")))
    results = []
    probs = ["%s is in two layers" % d for d in dup]
    probs += ["src/%s is in no layer of src/README" % n
              for n in files if stem(n) not in layers]
    results.append(("every file of src/ has one layer", probs))

    inc = includes(srcdir)
    probs = []
    for name, dst in inc:
        src = stem(name)
        if src in layers and dst in layers and layers[dst] > layers[src]:
            probs.append("src/%s (L%d) includes %s.h (L%d), a layer above"
                         % (name, layers[src], dst, layers[dst]))
    results.append(("every #include goes to its own layer or below", probs))
    c = circle((stem(n), d) for n, d in inc)
    results.append(("the includes form no circle",
                    ["circle: " + " -> ".join(c)] if c else []))

    if lib:
        edges = calls(lib)
        probs = ["%s.o (L%d) calls %s.o (L%d), a layer above"
                 % (a, layers[a], b, layers[b]) for a, b in edges
                 if a in layers and b in layers and layers[b] > layers[a]]
        results.append(("every call between objects goes to its own layer "
                        "or below", probs))
        c = circle(edges)
        results.append(("the calls between objects form no circle",
                        ["circle: " + " -> ".join(c)] if c else []))
    return results


def selftest():
    """Problems the check must find in bad trees: [(name, found)]."""
    out = []
    d = tempfile.mkdtemp(prefix="rstream-layers.")
    try:
        def tree(files):
            shutil.rmtree(d)
            os.mkdir(d)
            with open(os.path.join(d, "README"), "w") as f:
                f.write("L0 codecs: wire json\nL1 protocol: frame\n"
                        "L3 engines: consumer\n")
            for n, text in files.items():
                with open(os.path.join(d, n), "w") as f:
                    f.write(text)
            return sum(len(p) for _, p in check(d, None))
        out.append(("a good tree passes", tree({
            "wire.h": "", "frame.c": '#include "config.h"\n#include "wire.h"\n',
            "consumer.c": '#include "frame.h"\n'}) == 0))
        out.append(("a codec including an engine is refused", tree({
            "wire.c": '#include "consumer.h"\n', "consumer.h": ""}) == 1))
        out.append(("a circle is refused", tree({
            "wire.h": '#include "json.h"\n',
            "json.h": '#include "wire.h"\n'}) == 1))
        out.append(("a file in no layer is refused", tree({
            "stray.c": ""}) == 1))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    srcdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "src")
    lib = sys.argv[2] if len(sys.argv) > 2 else None
    if lib is None:
        cand = os.path.join(os.environ.get("BUILDDIR", os.getcwd()),
                            "librstream.a")
        if os.path.exists(cand) and shutil.which("nm"):
            lib = cand
    results = check(srcdir, lib)
    st = selftest()
    print("1..%d" % (len(results) + len(st)))
    n = 0
    bad = 0
    for name, probs in results:
        n += 1
        print("%sok %d - %s" % ("not " if probs else "", n, name))
        for p in probs:
            print("# " + p)
        bad += bool(probs)
    for name, good in st:
        n += 1
        print("%sok %d - self-test: %s" % ("" if good else "not ", n, name))
        bad += not good
    if lib is None:
        print("# no librstream.a: the calls between objects are not checked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
