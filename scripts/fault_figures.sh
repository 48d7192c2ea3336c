#!/usr/bin/env bash
# The kill and fault figures of docs/reliability.md, from the suite's own tests with larger
# counts (the suite runs them small):
#   - SIGKILL during file saves of a 200 MiB value, KILLS times at offsets drawn uniformly from
#     the whole write, both paths (storage_crash_test; FF_CRASH_KILLS, FF_CRASH_SEED);
#   - SIGKILL during saves of a 64 MiB array (HDF5, 1 MiB chunks, file kind), KILLS times at
#     moments drawn uniformly from one save's duration, both paths; then gc removes what the
#     kill left (storage_array_crash_test);
#   - OPS PUTs then GETs of 4-10 KiB objects through tests/tools/fault_proxy answering 20 % of
#     requests 503 SlowDown and resetting 10 % mid-body, 16 in flight, against s3rver and Ceph RGW over HTTP
#     (fault_test; FF_FAULT_OPS). Every object must read back byte for byte.
#
#   scripts/fault_figures.sh [build-dir]      (env: KILLS=50 OPS=10000 SEED=1)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
kills=${KILLS:-50}
ops=${OPS:-10000}
cmake --build "$build" --target storage_crash_test storage_crash_writer storage_array_crash_test \
  storage_array_crash_writer s3_fault_test -j2 >/dev/null
cd "$build"
echo "== SIGKILL during saves of a value and of an array: $kills kills per test and path (seed ${SEED:-1})"
start=$(date +%s)
FF_CRASH_KILLS=$kills FF_CRASH_SEED=${SEED:-1} ctest -R "CrashDuringSave" --timeout 3600 \
  --output-on-failure | grep -E "Passed|Failed|tests passed"
echo "   $(( $(date +%s) - start )) s"
echo "== $ops S3 operations through 20 % SlowDown + 10 % resets"
start=$(date +%s)
FF_FAULT_OPS=$ops ctest -R "(s3rver|rgw)-http.S3Faults.FiveHundredPuts" --timeout 3600 \
  --output-on-failure | grep -E "Passed|Failed|tests passed"
echo "   $(( $(date +%s) - start )) s"
