#!/usr/bin/env bash
# Pickle codec benchmark: functionfuse's codec (benchmarks/pickle_bench) against CPython's C
# pickle (/usr/bin/python3) on the same data, in the same run. Each workload/direction runs in
# its own process (so peak RSS is that workload's); C++ and Python processes alternate for
# ROUNDS rounds of REPS timed repetitions each, and medians are taken over all repetitions.
#
#   scripts/bench_pickle.sh [build-dir]        (env: ROUNDS=3 REPS=5)
#
# Workloads: a 100 MiB bytes value, and list(range(1_000_000)); protocol 4 both sides.
# Prints a Markdown table: median wall ms, MB/s of pickle bytes, ratio (CPython time / ours:
# >= 1 means we are at least as fast), median process CPU ms of both (robust on a shared
# machine) and peak RSS as a multiple of the payload.
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${ROUNDS:-3}
reps=${REPS:-5}

if [[ ! -x $build/benchmarks/pickle_bench ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUNCTIONFUSE_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" --target pickle_bench -j2 >/dev/null
fi

python_bench=$(mktemp --suffix=.py)
results=$(mktemp)
trap 'rm -f "$python_bench" "$results"' EXIT
cat >"$python_bench" <<'PY'
import pickle, resource, sys, time
workload, op, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
def make():
    if workload == "bytes":
        return b"x" * (100 << 20)
    return list(range(1_000_000))
def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4
ms, cpu = [], []
if op == "encode":
    v = make()
    payload = len(v) if workload == "bytes" else 0
    base = rss_kb()
    for r in range(reps + 1):
        c0 = time.process_time(); t0 = time.perf_counter()
        out = pickle.dumps(v, protocol=4)
        t1 = time.perf_counter(); c1 = time.process_time()
        size = len(out); del out
        if r: ms.append((t1 - t0) * 1e3); cpu.append((c1 - c0) * 1e3)
else:
    v = make()
    payload = len(v) if workload == "bytes" else 0
    data = pickle.dumps(v, protocol=4); del v
    size = len(data)
    base = rss_kb()
    for r in range(reps + 1):
        c0 = time.process_time(); t0 = time.perf_counter()
        back = pickle.loads(data)
        t1 = time.perf_counter(); c1 = time.process_time()
        del back
        if r: ms.append((t1 - t0) * 1e3); cpu.append((c1 - c0) * 1e3)
print("impl=python workload=%s op=%s payload_bytes=%d pickle_bytes=%d base_rss_kb=%d "
      "peak_rss_kb=%d ms=%s cpu_ms=%s" % (workload, op, payload or size, size, base,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, ",".join("%f" % t for t in ms),
      ",".join("%f" % t for t in cpu)))
PY

for round in $(seq "$rounds"); do
  for workload in bytes ints; do
    for op in encode decode; do
      "$build/benchmarks/pickle_bench" "$workload" "$op" "$reps" >>"$results"
      /usr/bin/python3 "$python_bench" "$workload" "$op" "$reps" >>"$results"
    done
  done
done

/usr/bin/python3 - "$results" "$rounds" "$reps" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    key = (f["workload"], f["op"], f["impl"])
    r = rows.setdefault(key, {"ms": [], "cpu": [], "peak": 0, "payload": int(f["payload_bytes"]),
                              "size": int(f["pickle_bytes"])})
    r["ms"] += [float(t) for t in f["ms"].split(",")]
    r["cpu"] += [float(t) for t in f["cpu_ms"].split(",")]
    r["peak"] = max(r["peak"], int(f["peak_rss_kb"]))
print("%s rounds x %s repetitions per implementation and workload; medians.\n" % (sys.argv[2], sys.argv[3]))
print("| workload | op | functionfuse ms | CPython ms | functionfuse MB/s | CPython MB/s "
      "| ratio (CPython/ours) | CPU ms ours / CPython (ratio) | peak RSS ours | peak RSS CPython |")
print("|---|---|---|---|---|---|---|---|---|---|")
names = {"bytes": "100 MiB bytes", "ints": "list of 1,000,000 ints"}
for workload in ("bytes", "ints"):
    for op in ("encode", "decode"):
        cpp, py = rows[(workload, op, "cpp")], rows[(workload, op, "python")]
        mc, mp = statistics.median(cpp["ms"]), statistics.median(py["ms"])
        cc, cp = statistics.median(cpp["cpu"]), statistics.median(py["cpu"])
        mb = cpp["size"] / 1e6
        def rss(r):
            return "%.0f MiB (%.2fx payload)" % (r["peak"] / 1024, r["peak"] * 1024 / r["payload"])
        print("| %s | %s | %.1f | %.1f | %.0f | %.0f | %.2f | %.1f / %.1f (%.2f) | %s | %s |" % (
            names[workload], op, mc, mp, mb / (mc / 1e3), mb / (mp / 1e3), mp / mc,
            cc, cp, cp / cc, rss(cpp), rss(py)))
PY
bench_machine_end
