"""Summarizes S3 throughput runs (JSON lines from run_sweep.py): Markdown tables of medians,
the ratios the goals ask for, and an SVG plot of throughput against concurrency (gnuplot).

    report.py RUNS.jsonl [PLOT.png|PLOT.svg]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

TOOLS = ["async", "sync", "rclone", "boto3"]
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
groups = defaultdict(list)
for r in runs:
    groups[(r["server"], r["latency_ms"], r["workload"], r["tool"], r["concurrency"])].append(r)


def med(key, field, phase=""):
    """Median of one figure over the rounds; phase "read_" for the read-back of our paths."""
    rs = [r for r in groups.get(key, []) if phase + "wall_s" in r]
    if not rs:
        return None
    wall = lambda r: r[phase + "wall_s"]
    if field == "mbps":
        return statistics.median(r["bytes"] / wall(r) / 1e6 for r in rs)
    if field == "rps":  # the read-back of W1 is one task: count its chunk GETs as requests
        return statistics.median(r["requests"] / wall(r) for r in rs)
    return statistics.median(r[phase + "cpu_s"] / (r["bytes"] / 2**30) for r in rs)  # CPU s/GiB


servers = sorted({k[0] for k in groups}, key=lambda s: (s != "s3rver", s))
latencies = sorted({k[1] for k in groups}, reverse=True)
concs = sorted({k[4] for k in groups if k[3] != "sync"})
cpu_conc = concs[-2] if len(concs) > 1 else concs[0]  # CPU per GiB is quoted at one pool size
field_of = {"w1": "mbps", "w2": "rps"}
unit_of = {"w1": "MB/s", "w2": "requests/s"}


def table(tools, phase=""):
    """One Markdown row per server, latency, workload and client: a figure per pool size."""
    print("| server | added latency | workload | client | "
          + " | ".join("c=%d" % c for c in concs) + " | CPU s/GiB at c=%d (sync: 1) |" % cpu_conc)
    print("|---" * (5 + len(concs)) + "|")
    for s in servers:
        for lat in latencies:
            for wl in ("w1", "w2"):
                for tool in tools:
                    cells = [med((s, lat, wl, tool, c), field_of[wl], phase) for c in concs]
                    cpu = med((s, lat, wl, tool, 1 if tool == "sync" else cpu_conc), "cpu", phase)
                    if cpu is None:
                        continue
                    print("| %s | %d ms | %s | %s | %s | %.2f |" % (
                        s, lat, wl.upper(), tool,
                        " | ".join("" if v is None else "%.0f" % v for v in cells), cpu))


print("Uploads (W1 in MB/s, W2 in requests/s; medians of %d rounds) and client CPU per GiB."
      % max(len(v) for v in groups.values()))
print()
table(TOOLS)
print()
print("Reading it back with `read_task` (our two paths only; W1 in MB/s, W2 in requests/s):")
print()
table(("async", "sync"), "read_")
print()
print("Ratios (same run):")
print()
for s in servers:
    for lat in latencies:
        for wl in ("w1", "w2"):
            f = field_of[wl]
            sync = med((s, lat, wl, "sync", 1), f)
            best = max(((med((s, lat, wl, "async", c), f) or 0), c) for c in concs)
            parts = []
            if sync and best[0]:
                parts.append("async best %.0f %s at c=%d = %.1f× sync" % (best[0], unit_of[wl], best[1], best[0] / sync))
            vs = [(c, med((s, lat, wl, "async", c), f), med((s, lat, wl, "rclone", c), f)) for c in concs]
            vs = [(c, a / r) for c, a, r in vs if a and r]
            if vs:
                parts.append("async/rclone " + ", ".join("c=%d %.2f×" % cr for cr in vs))
            ca, cr = med((s, lat, wl, "async", cpu_conc), "cpu"), med((s, lat, wl, "rclone", cpu_conc), "cpu")
            if ca and cr:
                parts.append("CPU/GiB async/rclone %.2f" % (ca / cr))
            if parts:
                print("- %s, +%d ms, %s: %s" % (s, lat, wl.upper(), "; ".join(parts)))

if len(sys.argv) > 2:
    # One panel per (workload, server) at the largest added latency; sync is a flat line
    # because it has one request in flight whatever the pool size.
    lat = latencies[0]
    tmp = tempfile.mkdtemp()
    plots = []
    for wl in ("w1", "w2"):
        for s in servers:
            lines = []
            for tool in TOOLS:
                pts = [(c, med((s, lat, wl, tool, 1 if tool == "sync" else c), field_of[wl]))
                       for c in concs]
                pts = [(c, v) for c, v in pts if v is not None]
                if not pts:
                    continue
                path = os.path.join(tmp, "%s-%s-%s.dat" % (s, wl, tool))
                with open(path, "w") as f:
                    f.writelines("%d %f\n" % p for p in pts)
                style = "lines dt 2 lw 2" if tool == "sync" else "linespoints lw 2 pt 7"
                lines.append("'%s' using 1:2 with %s title '%s'" % (path, style, tool))
            plots.append('set title "%s, %s, +%d ms per request"\nset ylabel "%s"\nplot %s' % (
                wl.upper(), s, lat, unit_of[wl], ", ".join(lines)))
    script = "\n".join([
        ("set terminal pngcairo size %d,800 font 'sans,11'" if sys.argv[2].endswith(".png")
         else "set terminal svg size %d,800 font 'sans,12' background '#ffffff'") % (520 * len(servers)),
        "set output '%s'" % sys.argv[2],
        "set multiplot layout 2,%d" % len(servers),
        "set logscale x 2", "set xlabel 'requests in flight (pool size)'",
        "set xrange [%g:%g]" % (concs[0] / 1.3, concs[-1] * 1.3), "set yrange [0:*]",
        "set key top left", "set grid",
    ] + plots + ["unset multiplot"])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print()
    print("plot: " + sys.argv[2])
