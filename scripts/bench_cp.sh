#!/usr/bin/env bash
# The ffuse cp throughput figure (docs/benchmarks.md): a workflow of N small results and 2
# arrays copied file -> S3 (s3rver) with `ffuse cp` (tasks in flight: --jobs) against the same
# copy one task at a time (--jobs 1, the sync path's pace). Not run by the test suite.
#   bench_cp.sh [N=1000] [build dir=build]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
build=${2:-build}
work=$(mktemp -d)
state="$work/s3rver"
trap 'bash tests/tools/s3rver.sh stop "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bash tests/tools/s3rver.sh start "$state" http bench >/dev/null
# shellcheck disable=SC1091
source "$state/endpoint.env"
export AWS_ACCESS_KEY_ID=$FF_S3_KEY AWS_SECRET_ACCESS_KEY=$FF_S3_SECRET AWS_REGION=us-east-1
endpoint="http://$FF_S3_HOST:$FF_S3_PORT"
if [[ $n != 1000 ]]; then echo "note: the writer makes 1000 results; N is informational"; fi
"$build"/tests/cli/cli_write_store "{\"kind\":\"file\",\"options\":{\"path\":\"$work/src\",\"fsync\":false}}" many
for jobs in 1 32; do
  start=$(date +%s.%N)
  "$build"/tools/ffuse/ffuse --endpoint "$endpoint" cp -q -j "$jobs" --no-verify "$work/src" \
    "s3://$FF_S3_BUCKET/bench-$jobs" many >/dev/null
  end=$(date +%s.%N)
  echo "ffuse cp --jobs $jobs: $(echo "$end - $start" | bc) s for 1002 tasks"
done
