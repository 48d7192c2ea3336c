#!/usr/bin/env bash
# Builds the library and tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# ./build-asan and runs them there. Extra args go to ctest (default: every test of the built
# binaries that needs no S3 server: unit, interop, fault on the file kind).
#
#   bash scripts/sanitize.sh                 the CI slice: FF_SANITIZE_TARGETS below
#   FF_SANITIZE_TARGETS=all bash scripts/sanitize.sh -L unit      everything (~15 min cold)
#
# The CI slice (scripts/test.sh runs it) is every parser of outside bytes and the storage core:
# values, pickle (reader, writer, CPython interop), zarr metadata and codecs, SigV4, request
# checks, S3 XML documents, credentials files, the fuzzers' regression inputs, logging, the
# file kind's conformance and crash tests. Left to a full run: the S3 client tests against
# servers (their parsers are in the slice) and HDF5 array tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build_dir=${FF_SANITIZE_BUILD_DIR:-build-asan}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
targets=${FF_SANITIZE_TARGETS:-"value_test converter_test pickle_test pickle_interop_test
  log_test log_secrets_test sigv4_test request_checks_test xml_documents_test operations_test
  retry_policy_test pool_state_test credentials_test endpoint_test zarr_unit_test
  fuzz_regression_test storage_unit_test storage_conformance_test storage_crash_test"}
flags="-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DFUNCTIONFUSE_BUILD_TESTS=ON \
  -DFUNCTIONFUSE_BUILD_BENCHMARKS=OFF -DFUNCTIONFUSE_BUILD_EXAMPLES=OFF -DFF_TEST_RGW=OFF >/dev/null
if [[ $targets == all ]]; then
  cmake --build "$build_dir" -j "$(nproc)"
else
  # shellcheck disable=SC2086
  cmake --build "$build_dir" -j "$(nproc)" --target $targets
fi
cd "$build_dir"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
# Left out: binaries not built in this slice (ctest names them <target>_NOT_BUILT), the
# find_package consumer (built without the sanitizer runtime), the death test that caps the
# address space at 256 MiB (ASan reserves terabytes of shadow), and tests that need S3 servers.
[[ $# -gt 0 ]] || set -- -LE "s3|s3rver|rgw|bench-smoke|cli"
ctest --output-on-failure -j "$(nproc)" --timeout 900 \
  -E "_NOT_BUILT|find_package_consumer|RunningOutOfMemoryIsInvalidPickleNotBadAlloc" "$@"
