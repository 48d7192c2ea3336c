#!/usr/bin/env bash
# Starts or stops a private s3rver (the S3 test server) for ctest fixtures and benchmarks.
#
#   s3rver.sh start <state-dir> http|https [bucket]
#   s3rver.sh stop  <state-dir>
#
# start: stops a leftover server of the same state dir (pidfile), makes a fresh data
# directory, for https a throwaway CA and a server certificate for 127.0.0.1/localhost
# (openssl), starts s3rver on 127.0.0.1 on a free port with one bucket, and writes
# <state-dir>/endpoint.env (FF_S3_SCHEME, FF_S3_HOST, FF_S3_PORT, FF_S3_BUCKET, FF_S3_CA_FILE,
# FF_S3_KEY, FF_S3_SECRET, FF_S3_TEMPORARY_KEYS_FILE) for the tests. s3rver accepts the key
# pair S3RVER/S3RVER, and the temporary keys written to FF_S3_TEMPORARY_KEYS_FILE until they
# expire (s3rver_run.js --temporary-keys).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?usage: s3rver.sh start|stop <state-dir> [http|https] [bucket]}"
state="${2:?state dir required}"

stop_server() {
  if [[ -f "$state/pid" ]]; then
    local pid
    pid="$(cat "$state/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/pid"
  fi
}

case "$cmd" in
  start)
    scheme="${3:-http}"
    bucket="${4:-ff-test}"
    mkdir -p "$state"
    stop_server
    if [[ ! -d "$here/node_modules/@20minutes/s3rver" ]]; then
      (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    rm -rf "$state/data" "$state/port" "$state/endpoint.env" "$state"/temporary-keys.json*
    mkdir -p "$state/data"
    tls_args=()
    ca_file=""
    if [[ "$scheme" == https ]]; then
      (
        cd "$state"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
          -keyout ca.key -out ca.pem -days 7 -subj "/CN=functionfuse test CA" 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
          -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
        printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
          "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
          -out server.pem -days 7 -extfile server.ext 2>/dev/null
      )
      tls_args=(--key "$state/server.key" --cert "$state/server.pem")
      ca_file="$state/ca.pem"
    fi
    # setsid: the server must outlive this script (ctest runs it as a fixture step).
    # --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES,
    # which OpenSSL 3 only offers through its legacy provider (else page 2 is a 500).
    setsid node --openssl-legacy-provider "$here/s3rver_run.js" --directory "$state/data" --bucket "$bucket" \
      --port-file "$state/port" --temporary-keys "$state/temporary-keys.json" "${tls_args[@]}" >"$state/s3rver.log" 2>&1 < /dev/null &
    echo $! > "$state/pid"
    for _ in $(seq 300); do
      [[ -s "$state/port" ]] && break
      kill -0 "$(cat "$state/pid")" 2>/dev/null || { cat "$state/s3rver.log" >&2; exit 1; }
      sleep 0.1
    done
    [[ -s "$state/port" ]] || { echo "s3rver did not start" >&2; stop_server; exit 1; }
    cat > "$state/endpoint.env" <<ENV
FF_S3_SCHEME=$scheme
FF_S3_HOST=127.0.0.1
FF_S3_PORT=$(cat "$state/port")
FF_S3_BUCKET=$bucket
FF_S3_CA_FILE=$ca_file
FF_S3_KEY=S3RVER
FF_S3_SECRET=S3RVER
FF_S3_TEMPORARY_KEYS_FILE=$state/temporary-keys.json
ENV
    echo "s3rver ($scheme) on 127.0.0.1:$(cat "$state/port"), state in $state"
    ;;
  stop)
    stop_server
    rm -rf "$state/data"
    ;;
  *)
    echo "usage: s3rver.sh start|stop <state-dir> [http|https] [bucket]" >&2
    exit 2
    ;;
esac
