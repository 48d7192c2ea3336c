#!/usr/bin/env bash
# S3 throughput benchmark: functionfuse's async and sync paths (benchmarks/s3_throughput,
# through the public storage API) against rclone and boto3 uploading the same bytes, against
# three servers: s3rver (checks every signature, but one Node thread caps it near 100 MB/s), an
# nginx PUT sink (no checks; shows what the clients themselves can do) and Ceph RGW (a
# production server, single node on loopback, objects in the OSD's memory; tests/tools/rgw),
# each directly and through tests/tools/fault_proxy adding 20 ms per request.
#
#   scripts/bench_s3.sh [build-dir]
#   env: ROUNDS=3  CONCURRENCY="1 4 16 64"  LATENCIES="0 20"  SERVERS="s3rver nginx rgw"
#        TOOLS="async sync rclone boto3"  WORKLOADS="w1 w2"  W1_MIB=256  W2_COUNT=1000
#        OUT=<jsonl file that keeps the raw runs>  PLOT=<svg to draw>
#
# W1: one float64 array of W1_MIB MiB in 1 MiB chunks (ours: one task saved as zarr with
#     compressor none; the peers upload the same chunk files). W2: W2_COUNT results of 64 KiB
#     (ours: that many `save` calls; the peers: that many 64 KiB objects). Our two paths then
#     also read everything back (`read_task`), reported in a table of their own.
# Prints Markdown tables of medians and the ratios (benchmarks/s3/report.py).
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
export ROUNDS=${ROUNDS:-3} CONCURRENCY=${CONCURRENCY:-"1 4 16 64"} LATENCIES=${LATENCIES:-"0 20"}
export W1_MIB=${W1_MIB:-256} W2_COUNT=${W2_COUNT:-1000} TOOLS=${TOOLS:-"async sync rclone boto3"}
# Ceph RGW (a production server) joins when it is installed (scripts/setup.sh installs it).
default_servers="s3rver nginx"
if command -v radosgw >/dev/null; then default_servers+=" rgw"; fi
SERVERS=${SERVERS:-$default_servers}

# The peers and the sink are benchmark-only packages, installed here rather than by setup.sh.
missing=()
command -v rclone >/dev/null || missing+=(rclone)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
if ((${#missing[@]})); then
  sudo=""; [[ $EUID -ne 0 ]] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ ! -x $build/benchmarks/s3_throughput || ! -x $build/tests/tools/fault_proxy ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target s3_throughput fault_proxy -j2 >/dev/null

work=$(mktemp -d)
server_dir=""
stop_server() {
  [[ -n $server_dir ]] || return 0
  case $server_dir in
    */s3rver) "$root/tests/tools/s3rver.sh" stop "$server_dir" >/dev/null 2>&1 || true ;;
    */rgw) "$root/tests/tools/rgw/rgw.sh" stop "$server_dir" >/dev/null 2>&1 || true ;;
    */nginx)
      "$root/benchmarks/s3/nginx_sink.sh" stop "$server_dir" >/dev/null 2>&1 || true
      [[ $server_dir == /dev/shm/* ]] && rm -rf "$(dirname "$server_dir")"
      ;;
  esac
  server_dir=""
}
trap 'stop_server; rm -rf "$work"' EXIT
"$build/benchmarks/s3_throughput" --workload w1 --w1-mib "$W1_MIB" --write-files "$work/files"
"$build/benchmarks/s3_throughput" --workload w2 --w2-count "$W2_COUNT" --write-files "$work/files"

export BENCH_BIN=$build/benchmarks/s3_throughput BENCH_PROXY=$build/tests/tools/fault_proxy
export BENCH_FILES=$work/files BENCH_OUT=${OUT:-$work/runs.jsonl}
for server in $SERVERS; do
  server_dir=$work/$server
  # The sink keeps its objects in memory where it can: on this VM's ext4 its own file work
  # (temp file, rename, directories) cost nginx 5-8× more CPU than on tmpfs, which the clients
  # then wait for. s3rver stays on disk: it is the slower one either way.
  if [[ $server == nginx && -d /dev/shm && -w /dev/shm ]]; then
    server_dir=$(mktemp -d -p /dev/shm ff-bench-XXXXXX)/nginx
  fi
  case $server in
    s3rver) "$root/tests/tools/s3rver.sh" start "$server_dir" http bench >/dev/null ;;
    nginx) "$root/benchmarks/s3/nginx_sink.sh" start "$server_dir" bench >/dev/null ;;
    rgw) "$root/tests/tools/rgw/rgw.sh" start "$server_dir" http bench >/dev/null ;;
    *) echo "bench_s3.sh: unknown server $server" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC1091
  source "$server_dir/endpoint.env"
  BENCH_SERVER=$server BENCH_PORT=$FF_S3_PORT BENCH_BUCKET=$FF_S3_BUCKET BENCH_KEY=$FF_S3_KEY \
    BENCH_SECRET=$FF_S3_SECRET BENCH_DATA=$([[ $server == rgw ]] || echo "$server_dir/data") \
    /usr/bin/python3 "$root/benchmarks/s3/run_sweep.py"
  stop_server
done
/usr/bin/python3 "$root/benchmarks/s3/report.py" "$BENCH_OUT" ${PLOT:+"$PLOT"}
bench_machine_end
