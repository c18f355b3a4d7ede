"""latency.py CAT TAIL URI STREAM N: write N lines "seq t_ns", one every
10 ms, into `rstream-cat STREAM`, read them back from
`rstream-tail -f -n 0 STREAM`, print "p50_ms p99_ms received"."""
import subprocess
import sys
import threading
import time

cat, tail, uri, stream, n = sys.argv[1:5] + [int(sys.argv[5])]
t = subprocess.Popen([tail, "-u", uri, "-f", "-n", "0", stream],
                     stdout=subprocess.PIPE, bufsize=0)
time.sleep(1.5)  # let the tail subscribe before the first record
c = subprocess.Popen([cat, "-u", uri, stream], stdin=subprocess.PIPE, bufsize=0)
lat = []


def reader():
    for line in t.stdout:
        now = time.monotonic_ns()
        i, ts = line.split()
        lat.append((now - int(ts)) / 1e6)
        if int(i) == n - 1:
            return


th = threading.Thread(target=reader, daemon=True)
th.start()
nxt = time.monotonic()
for i in range(n):
    c.stdin.write(b"%d %d\n" % (i, time.monotonic_ns()))
    nxt += 0.01
    d = nxt - time.monotonic()
    if d > 0:
        time.sleep(d)
th.join(10)
c.stdin.close()
c.wait()
t.terminate()
t.wait()
lat.sort()
if not lat:
    sys.exit("latency: nothing received")
print("%.3f %.3f %d" % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(lat)))
