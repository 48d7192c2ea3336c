#!/usr/bin/env bash
# The `ffuse cp` throughput figure (docs/benchmarks.md): the workflow of the CLI tests (1,000
# small results + 2 arrays, written by tests/cli/cli_write_store) copied file -> S3 and back
# S3 -> file with `ffuse cp` many tasks in flight (--jobs 32), against the same copy one task at
# a time (--jobs 1: the pace of a sync, one-after-the-other copy). No verification pass
# (--no-verify), so only the copy is timed. Not run by the test suite.
#
#   scripts/bench_cp.sh [build-dir]
#   env: ROUNDS=3  SERVERS="s3rver rgw" (rgw when radosgw is installed)  JOBS="1 32"
#
# Each round runs every JOBS value in turn, the order rotating between rounds; prints the
# median seconds per copy and the tasks per second, then the machine and its load.
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rounds=${ROUNDS:-3}
read -r -a jobs_list <<<"${JOBS:-1 32}"
default_servers="s3rver"
if command -v radosgw >/dev/null; then default_servers+=" rgw"; fi
servers=${SERVERS:-$default_servers}
cmake --build "$build" --target ffuse cli_write_store -j2 >/dev/null

work=$(mktemp -d)
server_dir=""
stop_server() {
  [[ -n $server_dir ]] || return 0
  case $server_dir in
    */s3rver) "$root/tests/tools/s3rver.sh" stop "$server_dir" >/dev/null 2>&1 || true ;;
    */rgw) "$root/tests/tools/rgw/rgw.sh" stop "$server_dir" >/dev/null 2>&1 || true ;;
  esac
  server_dir=""
}
trap 'stop_server; rm -rf "$work"' EXIT

"$build/tests/cli/cli_write_store" \
  "{\"kind\":\"file\",\"options\":{\"path\":\"$work/src\",\"fsync\":false}}" many
tasks=$(find "$work/src/many" -maxdepth 1 -type f | wc -l)

# copy SRC DST: seconds of one `ffuse cp` of workflow "many", on stdout.
copy() {
  local jobs=$1 src=$2 dst=$3 t0 t1
  t0=$(date +%s.%N)
  "$build/tools/ffuse/ffuse" --endpoint "$endpoint" cp -q -j "$jobs" --no-verify "$src" "$dst" \
    many >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| server | direction | --jobs | median s | tasks/s | vs --jobs ${jobs_list[0]} |"
echo "|---|---|---|---|---|---|"
for server in $servers; do
  server_dir=$work/$server
  case $server in
    s3rver) "$root/tests/tools/s3rver.sh" start "$server_dir" http bench >/dev/null ;;
    rgw) "$root/tests/tools/rgw/rgw.sh" start "$server_dir" http bench >/dev/null ;;
    *) echo "bench_cp.sh: unknown server $server" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC1091
  source "$server_dir/endpoint.env"
  export AWS_ACCESS_KEY_ID=$FF_S3_KEY AWS_SECRET_ACCESS_KEY=$FF_S3_SECRET AWS_REGION=us-east-1
  endpoint="http://$FF_S3_HOST:$FF_S3_PORT"
  declare -A up=() down=()
  for ((r = 0; r < rounds; r++)); do
    n=${#jobs_list[@]}
    for ((k = 0; k < n; k++)); do
      jobs=${jobs_list[$(((k + r) % n))]}
      up[$jobs]+="$(copy "$jobs" "$work/src" "s3://$FF_S3_BUCKET/r$r-j$jobs") "
      rm -rf "$work/back"
      down[$jobs]+="$(copy "$jobs" "s3://$FF_S3_BUCKET/r$r-j$jobs" "$work/back") "
    done
  done
  for direction in "file -> S3" "S3 -> file"; do
    base=""
    for jobs in "${jobs_list[@]}"; do
      if [[ $direction == "file -> S3" ]]; then runs=${up[$jobs]}; else runs=${down[$jobs]}; fi
      m=$(tr ' ' '\n' <<<"$runs" | grep . | median)
      [[ -n $base ]] || base=$m
      printf '| %s | %s | %s | %.2f | %.0f | %.2f× |\n' "$server" "$direction" "$jobs" "$m" \
        "$(echo "$tasks / $m" | bc -l)" "$(echo "$base / $m" | bc -l)"
    done
  done
  unset up down
  stop_server
done
echo
echo "$tasks tasks per copy (1,000 small results + 2 arrays), medians of $rounds rounds."
bench_machine_end
