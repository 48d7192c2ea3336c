#!/usr/bin/env bash
# Fresh machine → installs, builds and runs examples/quickstart on a local file store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DFUNCTIONFUSE_BUILD_TESTS=OFF -DFUNCTIONFUSE_BUILD_BENCHMARKS=OFF
./${FF_BUILD_DIR:-build}/examples/quickstart "${1:-store}"
