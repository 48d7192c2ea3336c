#!/usr/bin/env bash
# bench-smoke: keeps the S3 throughput benchmark from rotting. Runs benchmarks/s3_throughput
# on both paths and both workloads, tiny, with read-back, against one of the test suite's
# S3 servers (ctest fixture; $FF_S3_ENDPOINT_FILE) and checks each printed figure line. Measures
# nothing: timing thresholds never belong in tests.
#
#   smoke.sh <path of s3_throughput>
set -euo pipefail
bin=${1:?usage: smoke.sh <s3_throughput>}
# shellcheck disable=SC1091
source "${FF_S3_ENDPOINT_FILE:?set by ctest}"
endpoint=http://$FF_S3_HOST:$FF_S3_PORT
for path in async sync; do
  for workload in w1 w2; do
    out=$("$bin" --endpoint "$endpoint" --bucket "$FF_S3_BUCKET" --key "$FF_S3_KEY" \
      --secret "$FF_S3_SECRET" --prefix "bench-smoke-$$-$path" --workload "$workload" \
      --path "$path" --concurrency 4 --w1-mib 3 --w2-count 12 --w2-kib 8 --read-back 1)
    /usr/bin/python3 - "$out" "$path" "$workload" <<'PY'
import json, sys
r, path, workload = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
expected = {"w1": (3 << 20, 3 + 3), "w2": (12 * 8192, 12)}[workload]
assert (r["tool"], r["workload"]) == (path, workload), r
assert (r["bytes"], r["requests"]) == expected, r
assert r["wall_s"] > 0 and r["read_wall_s"] > 0 and r["cpu_s"] >= 0, r
print("ok", path, workload)
PY
  done
done
