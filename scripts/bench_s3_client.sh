#!/usr/bin/env bash
# Benchmarks the async S3 client against s3rver (Node.js, single-threaded; checks every
# signature) on loopback, and appends/replaces the "## S3 client" section of docs/benchmarks.md.
#
#   scripts/bench_s3_client.sh [build-dir] [runs]
#
# Workloads: 10,000 PUTs of 4 KiB (requests/s) and 256 PUTs of 1 MiB (MB/s), each with 1 and
# with 64 connections; medians of `runs` (default 3) runs. Next to the client's CPU seconds
# per GiB uploaded (getrusage of the client process) it prints what `openssl speed -evp sha256`
# needs for the same bytes (the signer hashes every body once).
set -euo pipefail
# shellcheck source=scripts/bench_machine.sh
source "$(dirname "$0")/bench_machine.sh"
bench_machine_begin
cd "$(dirname "$0")/.."
build="${1:-build}"
runs="${2:-3}"
bench="$build/benchmarks/s3_client_bench"
[[ -x "$bench" ]] || cmake --build "$build" --target s3_client_bench
state="$(mktemp -d /tmp/ff-bench-s3rver.XXXXXX)"
trap 'tests/tools/s3rver.sh stop "$state"; rm -rf "$state"' EXIT
tests/tools/s3rver.sh start "$state" http ff-bench >/dev/null
port="$(cat "$state/port")"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1==k {print $2}'; }

rows=()
for workload in "10000 4096" "256 1048576"; do
  read -r count size <<<"$workload"
  for conns in 1 64; do
    rps=(); mbs=(); cpu=()
    for ((r = 0; r < runs; r++)); do
      line="$("$bench" --port "$port" --bucket ff-bench --count "$count" --size "$size" --connections "$conns")"
      echo "  $line" >&2
      rps+=("$(field requests_per_s <<<"$line")")
      mbs+=("$(field mb_per_s <<<"$line")")
      cpu+=("$(field cpu_s_per_gib <<<"$line")")
    done
    rows+=("| $count × $((size / 1024)) KiB | $conns | $(printf '%s\n' "${rps[@]}" | median) | $(printf '%s\n' "${mbs[@]}" | median) | $(printf '%s\n' "${cpu[@]}" | median) |")
  done
done

# SHA-256 cost of a GiB at the 16 KiB / 8 KiB-block rate openssl reports (bytes/s, largest block).
sha_line="$(openssl speed -evp sha256 -seconds 2 2>/dev/null | awk '/^sha256/ {print $NF}')"
sha_kbps="${sha_line%k}"
sha_s_per_gib="$(awk -v k="$sha_kbps" 'BEGIN {printf "%.3f", (1073741824/1000) / k}')"

section="$(cat <<MD
## S3 client

\`scripts/bench_s3_client.sh\` ($(date -u +%Y-%m-%d), medians of $runs runs): the async client
(\`benchmarks/s3_client_bench\`, plain HTTP, SigV4 with payload SHA-256, keep-alive pool)
against s3rver 4.0.4 on loopback. s3rver is one Node.js thread that writes every object to
disk, so these figures are server-bound; the CPU column is the client's own cost.

| workload | connections | requests/s | MB/s | client CPU s per GiB |
|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

SHA-256 of 1 GiB (\`openssl speed -evp sha256\`, largest block, one core): ${sha_s_per_gib} s.
The client hashes each body once for its signature, so that is the floor of its CPU per GiB;
the goal is at most 1.5× that for large objects.
$(bench_machine_end)
MD
)"

doc=docs/benchmarks.md
mkdir -p docs
touch "$doc"
# Replace our section (from "## S3 client" to the next "## " heading) or append it.
awk -v sec="$section" '
  BEGIN { skip = 0; done = 0 }
  /^## S3 client/ { print sec; skip = 1; done = 1; next }
  /^## / && skip { skip = 0 }
  !skip { print }
  END { if (!done) { print ""; print sec } }
' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
echo "$section"
