#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-14, ASan+UBSan, the whole library instrumented)
# in a build folder of their own and runs them one after another:
#
#   scripts/fuzz.sh [target|all|build] [seconds per target, default 60]
#
# Targets: pickle zarr_metadata s3_xml storage_config aws_ini glob http_response.
# Each run starts from a copy of fuzz/corpus/<target> in build-fuzz/corpus/<target> (the
# committed seeds are never written), uses fuzz/dict/<target>.dict, and leaves its log in
# build-fuzz/logs/ and any crash, leak, timeout or OOM input in build-fuzz/artifacts/<target>/.
# Exits non-zero if any target found one. Environment: FF_FUZZ_BUILD_DIR (default build-fuzz),
# FF_COMPILE_LOCK (a file to flock around the build, for machines shared by several builds),
# FF_FUZZ_SKIP_BUILD=1 (run the targets as last built), FF_FUZZ_TIMEOUT (seconds an input may
# take before libFuzzer calls it a hang, default 1; raise it only when the fuzzers share the
# machine with other work, niced, where wall time says little: every input slower than 1 s is
# still saved as build-fuzz/artifacts/<target>/slow-unit-* and counted in the summary, to be
# timed again alone).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
all_targets=(pickle zarr_metadata s3_xml storage_config aws_ini glob http_response)
which=${1:-all}
seconds=${2:-60}
build_dir=${FF_FUZZ_BUILD_DIR:-build-fuzz}

if [[ $which == all || $which == build ]]; then
  targets=("${all_targets[@]}")
else
  [[ " ${all_targets[*]} " == *" $which "* ]] || { echo "unknown target: $which" >&2; exit 2; }
  targets=("$which")
fi

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
if [[ ${FF_FUZZ_SKIP_BUILD:-0} != 1 ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFUNCTIONFUSE_BUILD_FUZZERS=ON -DFUNCTIONFUSE_BUILD_TESTS=OFF \
    -DFUNCTIONFUSE_BUILD_EXAMPLES=OFF -DFUNCTIONFUSE_BUILD_BENCHMARKS=OFF >/dev/null
  build=(cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}")
  if [[ -n ${FF_COMPILE_LOCK:-} ]]; then
    flock "$FF_COMPILE_LOCK" "${build[@]}"
  else
    "${build[@]}"
  fi
fi
[[ $which == build ]] && exit 0

# UBSan findings abort (the build also sets -fno-sanitize-recover); leaks are reported.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
failed=0
summary=()
for t in "${targets[@]}"; do
  corpus=$build_dir/corpus/$t
  artifacts=$build_dir/artifacts/$t
  log=$build_dir/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -n "$root/fuzz/corpus/$t/"* "$corpus/"
  dict=()
  [[ -f fuzz/dict/$t.dict ]] && dict=(-dict="fuzz/dict/$t.dict")
  echo "== fuzz_$t: ${seconds}s"
  # One process (two cores are shared); -timeout=1: no input may take a second; any single
  # allocation over 256 MiB is a finding (inputs are a few KiB); -report_slow_units=1 keeps
  # every input slower than a second.
  set +e
  "$build_dir/fuzz/fuzz_$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" \
    -timeout="${FF_FUZZ_TIMEOUT:-1}" -report_slow_units=1 -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  units=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  slow=$(find "$artifacts" -name 'slow-unit-*' 2>/dev/null | wc -l)
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1)
  result="ok, slowest input ${slowest:-?} s, $slow kept as slower than 1 s"
  if [[ $rc -ne 0 ]]; then
    result="FAILED (exit $rc; see $log, inputs in $artifacts)"
    failed=1
    grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|fuzz invariant|ERROR: libFuzzer' "$log" | head -5
  fi
  summary+=("$(printf '%-16s %6ss  execs %-10s cov %-6s ft %-6s corpus %-6s %s' \
    "$t" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" "$result")")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
