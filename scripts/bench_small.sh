#!/usr/bin/env bash
# Small results against the Python original: COUNT saves of a ~1 KiB dict, then COUNT reads,
# on the file kind, into a fresh directory each run; with fsync off (the original never
# fsyncs) and on. Same data on every side:
#   ours async   benchmarks/small_results async (WINDOW saves in flight, bounded)
#   ours sync    benchmarks/small_results sync  (one call after another)
#   original     IBM/functionfuse's FileStorage (../shared/peers/functionfuse-py, unmodified)
#                under /usr/bin/python3; it has no fsync, so it appears in the fsync-off rows.
# Runs alternate between the tools for ROUNDS rounds; medians. Peak RSS is the process's.
#
#   scripts/bench_small.sh [build-dir]     (env: ROUNDS=5 COUNT=10000 WINDOW=256
#                                                PEER=<functionfuse-py checkout>)
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${ROUNDS:-5}
count=${COUNT:-10000}
window=${WINDOW:-256}
peer=${PEER:-$root/../shared/peers/functionfuse-py}
bench=$build/benchmarks/small_results
if [[ ! -x $bench ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUNCTIONFUSE_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" --target small_results -j2 >/dev/null
fi
[[ -d $peer/functionfuse ]] || { echo "the Python original is not at $peer (set PEER)" >&2; exit 1; }
scratch=$(mktemp -d /var/tmp/ff-small-bench.XXXXXX)
results=$(mktemp)
pyfile=$(mktemp --suffix=.py)
trap 'rm -rf "$scratch" "$results" "$pyfile"' EXIT

cat >"$pyfile" <<'PY'
import resource, sys, time, types
sys.modules.setdefault("s3fs", types.SimpleNamespace(S3Map=None))  # not used by the file kind
from functionfuse.storage import storage_factory
path, count = sys.argv[1], int(sys.argv[2])
s = storage_factory({"kind": "file", "options": {"path": path}})
s.new_workflow("small")
t0 = time.perf_counter()
for i in range(count):
    s.save("small", "task-%d" % i, {"index": i, "score": i * 0.5, "label": "item-%d" % i,
                                    "payload": bytes([i % 256]) * 1024})
t1 = time.perf_counter()
for i in range(count):
    assert isinstance(s.read_task("small", "task-%d" % i), dict)
t2 = time.perf_counter()
print("impl=original n=%d fsync=0 save_s=%f read_s=%f peak_rss_kb=%d" % (
    count, t1 - t0, t2 - t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
PY

# Every run starts on a settled file system: the previous run's files are deleted and
# everything is flushed first (outside the timed part), so no run pays for the write-back or
# the unlinking of another's 10,000 files. The order of the tools rotates between rounds.
run=0
fresh() {
  rm -rf "${scratch:?}"/run-*
  sync
  run=$((run + 1))
  echo "$scratch/run-$run"
}
tools=("async 0" "sync 0" "original 0" "async 1" "sync 1")
for round in $(seq "$rounds"); do
  for ((t = 0; t < ${#tools[@]}; t++)); do
    read -r tool fsync <<<"${tools[(t + round) % ${#tools[@]}]}"
    dir=$(fresh)
    case $tool in
      async) "$bench" async "$dir" "$count" "$fsync" "$window" >>"$results" ;;
      sync) "$bench" sync "$dir" "$count" "$fsync" >>"$results" ;;
      original) PYTHONPATH=$peer /usr/bin/python3 "$pyfile" "$dir" "$count" >>"$results" ;;
    esac
  done
done

/usr/bin/python3 - "$results" "$rounds" "$count" "$window" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    r = rows.setdefault((f["impl"], f["fsync"]), {"save": [], "read": [], "rss": 0})
    r["save"].append(float(f["save_s"])); r["read"].append(float(f["read_s"]))
    r["rss"] = max(r["rss"], int(f["peak_rss_kb"]))
n = int(sys.argv[3])
print("%s saves then %s reads of a ~1 KiB dict, file kind; %s rounds, medians; ours async with "
      "%s in flight.\n" % (n, n, sys.argv[2], sys.argv[4]))
print("| tool | fsync | saves/s | reads/s | save ratio vs original | read ratio vs original | peak RSS |")
print("|---|---|---|---|---|---|---|")
orig = rows.get(("original", "0"))
for fsync in ("0", "1"):
    for impl in ("async", "sync", "original"):
        r = rows.get((impl, fsync))
        if not r:
            continue
        save = n / statistics.median(r["save"]); read = n / statistics.median(r["read"])
        ratio = lambda mine, key: "%.2fx" % (mine / (n / statistics.median(orig[key]))) if orig else "-"
        print("| %s | %s | %.0f | %.0f | %s | %s | %.0f MiB |" % (
            {"async": "ours, async", "sync": "ours, sync", "original": "Python original"}[impl],
            "on" if fsync == "1" else "off", save, read, ratio(save, "save"), ratio(read, "read"),
            r["rss"] / 1024))
PY
bench_machine_end
