#!/usr/bin/env bash
# Starts or stops a fast S3 PUT sink for the throughput benchmark: Debian's nginx-light serving
# PUT and DELETE through its WebDAV module (dav_methods; create_full_put_path), so a
# path-style `PUT /bucket/key` lands as the file <state>/data/bucket/key. It checks no
# signature and answers no S3 API but PUT/DELETE/GET/HEAD of objects: it shows what a client
# can do when the server is not the bottleneck (s3rver, one Node thread, is).
#
#   nginx_sink.sh start <state-dir> [bucket]
#   nginx_sink.sh stop  <state-dir>
#
# start writes <state-dir>/endpoint.env with the same variables as tests/tools/s3rver.sh
# (FF_S3_SCHEME, FF_S3_HOST, FF_S3_PORT, FF_S3_BUCKET, FF_S3_KEY, FF_S3_SECRET).
set -euo pipefail
cmd="${1:?usage: nginx_sink.sh start|stop <state-dir> [bucket]}"
state="${2:?state dir required}"
nginx=/usr/sbin/nginx

stop_server() {
  if [[ -f "$state/nginx.pid" ]]; then
    local pid
    pid="$(cat "$state/nginx.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$state/nginx.pid"
  fi
}

case "$cmd" in
  start)
    bucket="${3:-ff-bench}"
    [[ -x $nginx ]] || { echo "nginx_sink.sh: needs Debian's nginx-light (apt-get install nginx-light)" >&2; exit 1; }
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    stop_server
    rm -rf "$state/data" "$state/body"
    mkdir -p "$state/data/$bucket" "$state/body"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Workers run as the invoking user (as root nginx would switch them to nobody, who cannot
    # write into a private temp dir).
    user_line=""
    [[ $EUID -eq 0 ]] && user_line="user root;"
    cat > "$state/nginx.conf" <<CONF
$user_line
worker_processes 2;
pid $state/nginx.pid;
error_log $state/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $state/body;
  client_max_body_size 0;
  client_body_buffer_size 2m;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port;
    root $state/data;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
CONF
    $nginx -c "$state/nginx.conf" -p "$state" -e "$state/error.log"
    for _ in $(seq 50); do [[ -s "$state/nginx.pid" ]] && break; sleep 0.1; done
    [[ -s "$state/nginx.pid" ]] || { cat "$state/error.log" >&2; exit 1; }
    cat > "$state/endpoint.env" <<ENV
FF_S3_SCHEME=http
FF_S3_HOST=127.0.0.1
FF_S3_PORT=$port
FF_S3_BUCKET=$bucket
FF_S3_CA_FILE=
FF_S3_KEY=SINK
FF_S3_SECRET=SINK
ENV
    echo "nginx PUT sink on 127.0.0.1:$port, state in $state"
    ;;
  stop)
    stop_server
    rm -rf "$state/data" "$state/body"
    ;;
  *)
    echo "usage: nginx_sink.sh start|stop <state-dir> [bucket]" >&2
    exit 2
    ;;
esac
