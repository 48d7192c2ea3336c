#!/usr/bin/env bash
# Installs the built functionfuse into a temporary prefix, builds tests/install/consumer
# against it with find_package(functionfuse), runs it and checks its output.
#   consumer_test.sh <functionfuse build dir> <source dir>
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/install/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j2 >/dev/null
out=$("$work/build/consumer" "$work/store")
echo "consumer printed: $out"
[[ $out == "{'a': 1}" ]]
