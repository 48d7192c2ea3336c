#!/usr/bin/env bash
# Builds the library and tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# ./build-asan and runs a ctest slice there (default: the unit tests). Extra args go to ctest,
# e.g. `bash scripts/sanitize.sh -L interop`. Not part of .ci/run yet (a cold build takes
# ~15 minutes on two cores); see docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
flags="-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DFUNCTIONFUSE_BUILD_TESTS=ON \
  -DFUNCTIONFUSE_BUILD_BENCHMARKS=OFF -DFUNCTIONFUSE_BUILD_EXAMPLES=OFF -DFF_TEST_RGW=OFF >/dev/null
cmake --build build-asan -j "$(nproc)"
cd build-asan
export LSAN_OPTIONS="suppressions=$PWD/../tests/sanitizers/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Left out: the find_package consumer (built without the sanitizer runtime) and the death
# test that caps the address space at 256 MiB (ASan reserves terabytes of shadow).
[[ $# -gt 0 ]] || set -- -L unit
ctest --output-on-failure -j "$(nproc)" --timeout 900 \
  -E "find_package_consumer|RunningOutOfMemoryIsInvalidPickleNotBadAlloc" "$@"
