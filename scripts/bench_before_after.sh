#!/usr/bin/env bash
# Before/after check of a change: the same benchmarks run with builds of two or more commits in
# one run, the order rotating every round, so that the machine's drift falls on every build
# alike. Used for the "benchmarks do not regress" checks of docs/benchmarks.md.
#
#   scripts/bench_before_after.sh NAME=BUILD_DIR NAME=BUILD_DIR [...]
#   env: ROUNDS=3  PARTS="pickle array s3"  CONCURRENCY="1 16 64" (s3)  OUT=<folder for the raw results>
#
# The first build is the reference; every table gives the others' ratio to it (> 1: faster).
# A build of an older commit, e.g.:
#   git worktree add --detach ../base d8da943
#   cmake -S ../base -B ../base/build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUNCTIONFUSE_BUILD_TESTS=OFF
#   cmake --build ../base/build -j2 --target pickle_bench array_bench s3_throughput
# Parts: pickle (benchmarks/pickle_bench, 100 MiB bytes and 1M ints, encode and decode);
# array (benchmarks/array_bench big: a 1 GiB float64 array saved and read on the file
# protocol); s3 (benchmarks/s3_throughput async path, W1 and W2, through the nginx sink
# directly and with 20 ms added per request, 1, 16 and 64 in flight). The fault proxy and the
# sink come from this tree's own build (`build/`).
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
(($# >= 2)) || { sed -n 2,18p "$0" >&2; exit 2; }
names=() dirs=()
for arg in "$@"; do
  names+=("${arg%%=*}")
  dirs+=("$(cd "${arg#*=}" && pwd)")
done
rounds=${ROUNDS:-3}
parts=${PARTS:-"pickle array s3"}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
bench_machine_begin

# The builds in round r's order: rotated by r.
order() {
  local n=${#names[@]} k
  for ((k = 0; k < n; k++)); do echo $(((k + $1) % n)); done
}

if [[ $parts == *pickle* ]]; then
  for ((r = 0; r < rounds; r++)); do
    for i in $(order "$r"); do
      for w in bytes ints; do
        for op in encode decode; do
          "${dirs[$i]}/benchmarks/pickle_bench" "$w" "$op" 5 | sed "s/^/build=${names[$i]} /" >>"$out/pickle.txt"
        done
      done
    done
  done
fi

if [[ $parts == *array* ]]; then
  scratch=$(mktemp -d -p "${FF_BENCH_SCRATCH:-$root}")
  for ((r = 0; r < rounds; r++)); do
    for i in $(order "$r"); do
      "${dirs[$i]}/benchmarks/array_bench" big "$scratch/ff" 3 | sed "s/^/${names[$i]} /" >>"$out/array.txt"
      rm -rf "$scratch/ff"
    done
  done
  rm -rf "$scratch"
fi

if [[ $parts == *s3* ]]; then
  cmake --build "$root/build" --target fault_proxy s3_throughput -j2 >/dev/null
  work=$(mktemp -d)
  sink=$(mktemp -d -p /dev/shm ff-bench-XXXXXX)/nginx
  trap '"$root/benchmarks/s3/nginx_sink.sh" stop "$sink" >/dev/null 2>&1 || true; rm -rf "$(dirname "$sink")" "$work"' EXIT
  "$root/benchmarks/s3/nginx_sink.sh" start "$sink" bench >/dev/null
  # shellcheck disable=SC1091
  source "$sink/endpoint.env"
  "$root/build/benchmarks/s3_throughput" --workload w1 --w1-mib 256 --write-files "$work/files"
  "$root/build/benchmarks/s3_throughput" --workload w2 --w2-count 1000 --write-files "$work/files"
  for ((r = 0; r < rounds; r++)); do
    for i in $(order "$r"); do
      BENCH_BIN="${dirs[$i]}/benchmarks/s3_throughput" BENCH_PROXY="$root/build/tests/tools/fault_proxy" \
        BENCH_FILES="$work/files" BENCH_OUT="$out/s3.jsonl" BENCH_SERVER="${names[$i]}" \
        BENCH_PORT=$FF_S3_PORT BENCH_BUCKET=$FF_S3_BUCKET BENCH_KEY=$FF_S3_KEY \
        BENCH_SECRET=$FF_S3_SECRET BENCH_DATA="$sink/data" ROUNDS=1 LATENCIES="0 20" \
        CONCURRENCY="${CONCURRENCY:-1 16 64}" TOOLS=async WORKLOADS="w1 w2" W1_MIB=256 W2_COUNT=1000 \
        /usr/bin/python3 "$root/benchmarks/s3/run_sweep.py" 2>>"$out/s3.log"
    done
  done
fi

/usr/bin/python3 "$root/benchmarks/before_after_report.py" "$out" "${names[@]}"
echo
echo "Raw results: $out. Medians of $rounds rounds, the builds' order rotating every round."
bench_machine_end
