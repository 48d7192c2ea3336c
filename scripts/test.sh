#!/usr/bin/env bash
# Fresh machine → installs, builds and runs the whole test suite (servers it needs are started
# and stopped by the suite itself), then the sanitizer slice (scripts/sanitize.sh). Extra args
# go to ctest, e.g. `-L unit` (and then the sanitizer slice is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DFUNCTIONFUSE_BUILD_TESTS=ON
cd "${FF_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
cd - >/dev/null
# The parsers and the storage core again under ASan + UBSan (scripts/sanitize.sh; its own
# build folder). FF_SKIP_SANITIZERS=1 leaves it out, e.g. when running a slice by hand.
if [[ ${FF_SKIP_SANITIZERS:-0} != 1 && $# -eq 0 ]]; then
  bash scripts/sanitize.sh
fi
