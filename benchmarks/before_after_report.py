"""Tables of scripts/bench_before_after.sh: medians per build and their ratio to the first.

    before_after_report.py OUT_DIR NAME [NAME...]

Reads OUT_DIR/pickle.txt, array.txt and s3.jsonl where present; prints Markdown tables.
A ratio above 1 means that build is faster than the first (the reference).
"""
import collections
import json
import os
import statistics
import sys

out, names = sys.argv[1], sys.argv[2:]
ref = names[0]


def table(title, unit, rows):
    """rows: [(label, {name: median seconds or ms})]; lower is better."""
    print("\n%s\n" % title)
    print("| what | " + " | ".join("%s (%s)" % (n, unit) for n in names) + " | " +
          " | ".join("%s vs %s" % (n, ref) for n in names[1:]) + " |")
    print("|---" * (2 * len(names)) + "|")
    for label, m in rows:
        cells = ["%.2f" % m[n] if n in m else "-" for n in names]
        ratios = ["%.2f×" % (m[ref] / m[n]) if n in m and ref in m else "-" for n in names[1:]]
        print("| %s | %s | %s |" % (label, " | ".join(cells), " | ".join(ratios)))


path = os.path.join(out, "pickle.txt")
if os.path.exists(path):
    runs = collections.defaultdict(list)
    for line in open(path):
        kv = dict(x.split("=", 1) for x in line.split())
        runs[(kv["workload"], kv["op"])].append(
            (kv["build"], [float(x) for x in kv["ms"].split(",")]))
    rows = []
    for (workload, op), per in sorted(runs.items()):
        ms = collections.defaultdict(list)
        for build, values in per:
            ms[build] += values
        label = {"bytes": "100 MiB bytes", "ints": "1M ints"}[workload] + " " + op
        rows.append((label, {b: statistics.median(v) for b, v in ms.items()}))
    table("Pickle (median ms per call)", "ms", rows)

path = os.path.join(out, "array.txt")
if os.path.exists(path):
    gibs = collections.defaultdict(list)
    for line in open(path):
        build, what, seconds, _ = line.split()
        if what in ("save", "read"):
            gibs[(what, build)].append(float(seconds))
    rows = [("1 GiB array " + what, {b: statistics.median(v) for (w, b), v in gibs.items()
                                     if w == what}) for what in ("save", "read")]
    table("Arrays on the file protocol (median s)", "s", rows)

path = os.path.join(out, "s3.jsonl")
if os.path.exists(path):
    walls = collections.defaultdict(list)
    for line in open(path):
        r = json.loads(line)
        walls[(r["workload"], r["latency_ms"], r["concurrency"], r["server"])].append(r["wall_s"])
    cases = sorted({k[:3] for k in walls})
    rows = [("%s +%d ms, %d in flight" % (w.upper(), lat, c),
             {n: statistics.median(walls[(w, lat, c, n)]) for n in names if (w, lat, c, n) in walls})
            for w, lat, c in cases]
    table("S3 async path through the nginx sink (median s; W1 256 MiB in 1 MiB chunks, "
          "W2 1,000 results of 64 KiB)", "s", rows)
