#!/usr/bin/env bash
# Installs everything functionfuse needs to build, test and benchmark on Debian 12 (as root).
# Fast and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config ccache clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl libcurl4-openssl-dev libhdf5-dev hdf5-tools
  xtensor-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libblosc-dev libzstd-dev zlib1g-dev uuid-dev
  libcli11-dev  # argument parsing of the ffuse command-line tool (tools/ffuse)
  python3 python3-numpy python3-h5py python3-zarr python3-numcodecs python3-boto3
  rclone  # S3 throughput benchmark baseline (scripts/bench_s3.sh)
  radosgw ceph-mon ceph-osd  # Ceph RGW, the production S3 server of the test suite (tests/tools/rgw)
  python3-cryptography  # the loopback OIDC issuer of the RGW STS tests (tests/tools/oidc_issuer.py)
)

# The machine's Node.js 20 runs the S3 test server; install Debian's only where there is none.
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node test peers (the S3 server), pinned, installed into the project's tools folder.
if [[ -f tests/tools/package.json ]] && [[ ! -d tests/tools/node_modules ]]; then
  echo "setup: installing Node test peers"
  (cd tests/tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
