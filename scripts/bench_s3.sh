#!/usr/bin/env bash
# S3 throughput benchmark: functionfuse's async path (benchmarks/s3_throughput) against libcurl
# one request at a time (the sync path's transport), rclone and boto3, all uploading the same
# bytes to the same private s3rver, directly and through tests/tools/fault_proxy adding 20 ms
# per request.
#
#   scripts/bench_s3.sh [build-dir]
#   env: ROUNDS=3  CONCURRENCY="1 4 16 64"  LATENCIES="0 20"  W1_MIB=256  W2_COUNT=1000
#        TOOLS="async curl rclone boto3"  OUT=<jsonl file to keep the raw runs>
#
# W1: one float64 array of W1_MIB MiB in 1 MiB chunks (async: array_serializer -> zarr on
#     S3_PROTOCOL, compressor none, so every tool moves the same 1 MiB objects; the others
#     upload the chunk files). W2: W2_COUNT objects of 64 KiB, N in flight.
# Per run: wall time and client CPU (user+sys of the uploading process, via wait4 for rclone,
# around the upload phase for ours and boto3). Prints a Markdown table of medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
export ROUNDS=${ROUNDS:-3} CONCURRENCY=${CONCURRENCY:-"1 4 16 64"} LATENCIES=${LATENCIES:-"0 20"}
export W1_MIB=${W1_MIB:-256} W2_COUNT=${W2_COUNT:-1000} TOOLS=${TOOLS:-"async curl rclone boto3"}

if [[ ! -x $build/benchmarks/s3_throughput || ! -x $build/tests/tools/fault_proxy ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target s3_throughput fault_proxy -j2 >/dev/null
fi
command -v rclone >/dev/null || TOOLS=${TOOLS/rclone/}

work=$(mktemp -d)
state=$work/s3rver
proxy_pid=""
cleanup() {
  [[ -n $proxy_pid ]] && kill "$proxy_pid" 2>/dev/null || true
  "$root/tests/tools/s3rver.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/tests/tools/s3rver.sh" start "$state" http bench >/dev/null
# shellcheck disable=SC1091
source "$state/endpoint.env"
"$build/benchmarks/s3_throughput" --workload w1 --w1-mib "$W1_MIB" --write-files "$work/files"
"$build/benchmarks/s3_throughput" --workload w2 --w2-count "$W2_COUNT" --write-files "$work/files"

export BENCH_BIN=$build/benchmarks/s3_throughput BENCH_PROXY=$build/tests/tools/fault_proxy
export BENCH_FILES=$work/files BENCH_DATA=$state/data BENCH_PORT=$FF_S3_PORT
export BENCH_BUCKET=$FF_S3_BUCKET BENCH_KEY=$FF_S3_KEY BENCH_SECRET=$FF_S3_SECRET
export BENCH_OUT=${OUT:-$work/runs.jsonl}
/usr/bin/python3 - <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, time, uuid

env = os.environ
for v in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "AWS_PROFILE"):
    env.pop(v, None)
files, bucket, data = env["BENCH_FILES"], env["BENCH_BUCKET"], env["BENCH_DATA"]
key, secret = env["BENCH_KEY"], env["BENCH_SECRET"]

BOTO = r'''
import os, sys, time, resource, json, boto3, botocore.config
from concurrent.futures import ThreadPoolExecutor
url, bucket, prefix, src, n = sys.argv[1:6]
n = int(n)
names = sorted(os.listdir(src), key=int)
bodies = [(name, open(os.path.join(src, name), "rb").read()) for name in names]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id=os.environ["K"], aws_secret_access_key=os.environ["S"],
                  config=botocore.config.Config(max_pool_connections=n, s3={"addressing_style": "path"}))
# No "Expect: 100-continue" (botocore adds it to every PutObject): the delay proxy forwards
# whole requests only, so boto3 would stall waiting for the interim answer.
import botocore.handlers
s3.meta.events.unregister("before-call.s3", botocore.handlers.add_expect_header)
s3.list_buckets()  # connect and load the service model outside the timed part
def put(item):
    s3.put_object(Bucket=bucket, Key=prefix + "/" + item[0], Body=item[1])
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
with ThreadPoolExecutor(n) as pool:
    list(pool.map(put, bodies))
t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": t1 - t0, "cpu_s": (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime),
                  "requests": len(bodies), "bytes": sum(len(b) for _, b in bodies)}))
'''

def start_proxy(latency):
    # Its output goes to a file: a pipe nobody reads would fill up and stall the proxy.
    log = os.path.join(files, "proxy-%d.log" % latency)
    p = subprocess.Popen([env["BENCH_PROXY"], "--upstream", "127.0.0.1:" + env["BENCH_PORT"],
                          "--latency-ms", str(latency)], stdout=open(log, "w"),
                         stderr=subprocess.STDOUT)
    for _ in range(100):
        first = open(log).readline()
        if first.startswith("listening on") and first.endswith("\n"):
            return p, int(first.split()[-1])
        time.sleep(0.05)
    raise SystemExit("fault_proxy did not start")

def run_tool(tool, workload, conc, port):
    prefix = "run-" + uuid.uuid4().hex[:12]
    url = "http://127.0.0.1:%d" % port
    src = os.path.join(files, workload)
    if tool in ("async", "curl"):
        out = subprocess.run([env["BENCH_BIN"], "--host", "127.0.0.1", "--port", str(port),
                              "--bucket", bucket, "--key", key, "--secret", secret, "--prefix", prefix,
                              "--workload", workload, "--path", tool, "--concurrency", str(conc),
                              "--w1-mib", env["W1_MIB"], "--w2-count", env["W2_COUNT"]],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
    elif tool == "boto3":
        out = subprocess.run(["/usr/bin/python3", "-c", BOTO, url, bucket, prefix, src, str(conc)],
                             check=True, capture_output=True, text=True,
                             env=dict(env, K=key, S=secret)).stdout
        r = json.loads(out)
    else:  # rclone: the whole process (its start-up is milliseconds)
        renv = dict(env, RCLONE_CONFIG_FFS3_TYPE="s3", RCLONE_CONFIG_FFS3_PROVIDER="Other",
                    RCLONE_CONFIG_FFS3_ACCESS_KEY_ID=key, RCLONE_CONFIG_FFS3_SECRET_ACCESS_KEY=secret,
                    RCLONE_CONFIG_FFS3_ENDPOINT=url, RCLONE_CONFIG_FFS3_REGION="us-east-1",
                    RCLONE_CONFIG_FFS3_FORCE_PATH_STYLE="true")
        t0 = time.monotonic()
        p = subprocess.Popen(["rclone", "copy", "--transfers", str(conc), "--checkers", str(conc),
                              "--no-check-dest", "--s3-no-check-bucket", "--no-traverse",
                              src, "ffs3:%s/%s" % (bucket, prefix)], env=renv,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        if status != 0:
            raise SystemExit("rclone failed: " + p.stderr.read().decode())
        names = os.listdir(src)
        r = {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "requests": len(names),
             "bytes": sum(os.path.getsize(os.path.join(src, n)) for n in names)}
    shutil.rmtree(os.path.join(data, bucket, prefix), ignore_errors=True)  # keep the disk small
    return r

runs = []
with open(env["BENCH_OUT"], "a") as log:
    for latency in map(int, env["LATENCIES"].split()):
        proxy, port = (None, int(env["BENCH_PORT"])) if latency == 0 else start_proxy(latency)
        try:
            for rnd in range(int(env["ROUNDS"])):
                for workload in ("w1", "w2"):
                    for tool in env["TOOLS"].split():
                        for conc in ([1] if tool == "curl" else map(int, env["CONCURRENCY"].split())):
                            r = run_tool(tool, workload, conc, port)
                            r.update(tool=tool, workload=workload, concurrency=conc, latency_ms=latency)
                            runs.append(r)
                            log.write(json.dumps(r) + "\n"); log.flush()
                            print("  %-6s %s c=%-3d lat=%-2d %7.2f s" % (tool, workload, conc, latency, r["wall_s"]),
                                  file=sys.stderr)
        finally:
            if proxy: proxy.kill()

groups = {}
for r in runs:
    groups.setdefault((r["latency_ms"], r["workload"], r["tool"], r["concurrency"]), []).append(r)
print("| latency | workload | client | concurrency | MB/s | requests/s | CPU s/GiB | runs |")
print("|---|---|---|---|---|---|---|---|")
for (lat, wl, tool, conc), rs in sorted(groups.items()):
    wall = statistics.median(r["wall_s"] for r in rs)
    cpu = statistics.median(r["cpu_s"] / (r["bytes"] / 2**30) for r in rs)
    print("| %d ms | %s | %s | %d | %.1f | %.0f | %.2f | %d |" % (
        lat, wl.upper(), tool, conc, rs[0]["bytes"] / wall / 1e6, rs[0]["requests"] / wall, cpu, len(rs)))
PY
