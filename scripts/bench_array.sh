#!/usr/bin/env bash
# Array serializer benchmark on the file protocol (benchmarks/array_bench), with its peers in
# the same run:
#   (a) one 1 GiB float64 array in 8 MiB chunks: our save and read vs `dd` writing the same
#       byte count into the page cache (bs=8M, fresh file), vs h5py writing/reading the same
#       array with the same chunks (/usr/bin/python3), and vs the Python original's own path:
#       `dask.array.store` into an h5py dataset opened on a Python file object, as its
#       DaskArraySerializer does (read back with `da.from_array(dset).compute()`);
#   (b) 1,000 arrays of 1 MiB with gzip level 1: async storage (64 saves in flight) vs the
#       sync storage.
# Everything is written without fsync (the page cache is the limit being compared against).
# Each tool runs REPS+1 times in one go and its first run is reported apart as "cold": on this
# VM, filling memory the guest has not touched recently is several times slower than reusing
# pages just freed (dd shows it as much as we do), so the warm runs are the comparable ones.
#
#   scripts/bench_array.sh [build-dir]     (env: REPS=3, BENCH_DIR=<scratch dir>, ONLY=a|b)
#
# Prints a Markdown table of medians over REPS repetitions.
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
reps=${REPS:-3}
only=${ONLY:-ab}
scratch=${BENCH_DIR:-$(mktemp -d /var/tmp/ff-array-bench.XXXXXX)}
mkdir -p "$scratch"
bench=$build/benchmarks/array_bench
[[ -x $bench ]] || bench=$build/array_bench
if [[ ! -x $bench ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUNCTIONFUSE_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" --target array_bench -j2 >/dev/null
  bench=$build/benchmarks/array_bench
fi
# The Python original's array path needs dask (a benchmark-only package, not in setup.sh).
if ! /usr/bin/python3 -c 'import dask.array' 2>/dev/null; then
  sudo=""; [[ $EUID -ne 0 ]] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dask >/dev/null
fi
results=$(mktemp)
pyfile=$(mktemp --suffix=.py)
trap 'rm -rf "$results" "$pyfile" "$scratch"' EXIT

cat >"$pyfile" <<'PY'
import sys, time, os, h5py, numpy as np
try:
    import dask.array as da  # Debian's python3-dask; the peer is skipped without it
except ImportError:
    da = None
path, reps = sys.argv[1], int(sys.argv[2])
n = 1 << 27
a = np.floor(np.sin(np.arange(n) * 0.001) * 1000.0) / 8
gib = a.nbytes / (1 << 30)
for r in range(reps):
    cold = "_cold" if r == 0 else ""
    if os.path.exists(path): os.remove(path)
    t0 = time.perf_counter()
    with h5py.File(path, "w") as f:
        f.create_dataset("dask_arrays", data=a, chunks=(1 << 20,))
    s = time.perf_counter() - t0
    print(f"h5py_save{cold} {s:.4f} {gib / s:.3f}")
    t0 = time.perf_counter()
    with h5py.File(path, "r") as f:
        b = f["dask_arrays"][()]
    s = time.perf_counter() - t0
    print(f"h5py_read{cold} {s:.4f} {gib / s:.3f}", flush=True)
    # The Python original's DaskArraySerializer: a dask array with the same chunks stored
    # through h5py into a file object from open(), then read back as a dask array.
    if da is None:
        continue
    d = da.from_array(a, chunks=(1 << 20,))
    os.remove(path)
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        hdf = h5py.File(f, mode="w")
        dset = hdf.create_dataset("dask_arrays", d.shape, dtype=d.dtype, chunks=d.chunksize)
        da.store(d, dset)
        hdf.close()
    s = time.perf_counter() - t0
    print(f"dask_save{cold} {s:.4f} {gib / s:.3f}")
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        hdf = h5py.File(f, mode="r")
        dset = hdf["dask_arrays"]
        b = da.from_array(dset, chunks=dset.chunks).compute()
        hdf.close()
    s = time.perf_counter() - t0
    print(f"dask_read{cold} {s:.4f} {gib / s:.3f}", flush=True)
os.remove(path)
PY

if [[ $only == *a* ]]; then
  for ((r = 0; r <= reps; r++)); do
    rm -f "$scratch/dd.bin"
    t0=$(date +%s.%N)
    dd if=/dev/zero of="$scratch/dd.bin" bs=8M count=128 status=none
    t1=$(date +%s.%N)
    label=dd; ((r == 0)) && label=dd_cold
    awk -v a="$t0" -v b="$t1" -v l="$label" 'BEGIN { s = b - a; printf "%s %.4f %.3f\n", l, s, 1 / s }' >>"$results"
  done
  rm -f "$scratch/dd.bin"
  /usr/bin/python3 "$pyfile" "$scratch/h5py.h5" $((reps + 1)) >>"$results"
  "$bench" big "$scratch/ff" $((reps + 1)) >>"$results"
fi
if [[ $only == *b* ]]; then
  "$bench" many "$scratch/many" "$reps" >>"$results"
fi

/usr/bin/python3 - "$results" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    k, s, g = line.split()
    rows.setdefault(k, []).append((float(s), float(g)))
med = {k: (statistics.median(s for s, _ in v), statistics.median(g for _, g in v), len(v))
       for k, v in rows.items()}
print("| workload | runs | median s | median GiB/s |")
print("|---|---|---|---|")
names = {"dd": "dd 1 GiB (bs=8M) into the page cache", "h5py_save": "h5py save 1 GiB",
         "save": "functionfuse save 1 GiB", "h5py_read": "h5py read 1 GiB",
         "read": "functionfuse read 1 GiB",
         "dask_save": "Python original (dask.array.store into h5py) save 1 GiB",
         "dask_read": "Python original (da.from_array(h5py).compute()) read 1 GiB", "many_async": "1,000 x 1 MiB gzip, async",
         "many_sync": "1,000 x 1 MiB gzip, sync",
         "many_serializer_async": "1,000 x 1 MiB gzip, serializer alone, async"}
for k in ["dd", "h5py_save", "dask_save", "save", "h5py_read", "dask_read", "read", "many_async",
          "many_serializer_async", "many_sync"]:
    for kk, suffix in ((k, ""), (k + "_cold", " (cold, first run)")):
        if kk in med:
            s, g, n = med[kk]
            print(f"| {names[k]}{suffix} | {n} | {s:.3f} | {g:.2f} |")
def ratio(a, b, label):
    if a in med and b in med:
        print(f"\n{label}: {med[a][1] / med[b][1]:.2f}x", end="")
ratio("save", "dd", "save vs dd (goal >= 1.0x)")
ratio("save", "h5py_save", "save vs h5py (goal >= 1.5x)")
ratio("save", "dask_save", "save vs the Python original's dask path (goal >= 3x)")
ratio("read", "h5py_read", "read vs h5py (goal >= 1.5x)")
ratio("read", "dask_read", "read vs the Python original's dask path")
ratio("many_async", "many_sync", "async vs sync, 1,000 gzip saves (goal >= 1.5x)")
print()
PY
bench_machine_end
