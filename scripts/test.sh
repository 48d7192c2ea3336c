#!/usr/bin/env bash
# Fresh machine → installs, builds and runs the whole test suite (servers it needs are started
# and stopped by the suite itself). Extra args go to ctest, e.g. `-L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DFUNCTIONFUSE_BUILD_TESTS=ON
cd "${FF_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
