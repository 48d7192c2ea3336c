#!/usr/bin/env bash
# Fresh machine → installs, builds and runs examples/quickstart on a local file store, then looks
# into what it wrote with the ffuse command-line tool.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DFUNCTIONFUSE_BUILD_TESTS=OFF -DFUNCTIONFUSE_BUILD_BENCHMARKS=OFF
build=${FF_BUILD_DIR:-build}
store=${1:-store}
./"$build"/examples/quickstart "$store"
echo
echo "\$ ffuse ls $store quickstart"
./"$build"/tools/ffuse/ffuse ls "$store" quickstart
echo
echo "\$ ffuse cat $store quickstart config"
./"$build"/tools/ffuse/ffuse cat --pretty "$store" quickstart config
echo
echo "\$ ffuse cat --repr $store quickstart train"
./"$build"/tools/ffuse/ffuse cat --repr "$store" quickstart train
