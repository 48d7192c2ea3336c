"""Runs the S3 throughput sweep against one running server; appends one JSON line per run.

Called by scripts/bench_s3.sh with the server already started. Environment:
  BENCH_SERVER (name for the report), BENCH_PORT, BENCH_BUCKET, BENCH_KEY, BENCH_SECRET,
  BENCH_DATA (the server's data directory: each run's objects are deleted there after it;
  empty for a server without one, e.g. RGW, whose objects are deleted through S3),
  BENCH_BIN (benchmarks/s3_throughput), BENCH_PROXY (tests/tools/fault_proxy),
  BENCH_FILES (the objects as files, from `s3_throughput --write-files`), BENCH_OUT (jsonl),
  ROUNDS, LATENCIES, CONCURRENCY, TOOLS, WORKLOADS (default "w1 w2"), W1_MIB, W2_COUNT.
Rounds are the outer loop, so a change of machine load spreads over every row alike.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

env = dict(os.environ)
# Over plain HTTP these only confuse the peers (botocore validates the bundle path).
for v in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "AWS_PROFILE"):
    env.pop(v, None)
here = os.path.dirname(os.path.abspath(__file__))
files, bucket, data = env["BENCH_FILES"], env["BENCH_BUCKET"], env.get("BENCH_DATA", "")
key, secret = env["BENCH_KEY"], env["BENCH_SECRET"]


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


def ours(path, workload, conc, url, prefix):
    out = subprocess.run([env["BENCH_BIN"], "--endpoint", url, "--bucket", bucket, "--key", key,
                          "--secret", secret, "--prefix", prefix, "--workload", workload,
                          "--path", path, "--concurrency", str(conc), "--w1-mib", env["W1_MIB"],
                          "--w2-count", env["W2_COUNT"], "--read-back", "1"],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def boto3(src, conc, url, prefix):
    out = subprocess.run(["/usr/bin/python3", os.path.join(here, "boto3_upload.py"), url, bucket,
                          prefix, src, str(conc)], check=True, capture_output=True, text=True,
                         env=dict(env, K=key, S=secret)).stdout
    return json.loads(out)


def rclone(src, conc, url, prefix):
    """The whole process is measured (its start-up is milliseconds)."""
    renv = dict(env, RCLONE_CONFIG_FFS3_TYPE="s3", RCLONE_CONFIG_FFS3_PROVIDER="Other",
                RCLONE_CONFIG_FFS3_ACCESS_KEY_ID=key, RCLONE_CONFIG_FFS3_SECRET_ACCESS_KEY=secret,
                RCLONE_CONFIG_FFS3_ENDPOINT=url, RCLONE_CONFIG_FFS3_REGION="us-east-1",
                RCLONE_CONFIG_FFS3_FORCE_PATH_STYLE="true")
    # Its fastest plain upload: no listing or HEAD of the destination before, no HEAD after.
    t0 = time.monotonic()
    p = subprocess.Popen(["rclone", "copy", "--transfers", str(conc), "--checkers", str(conc),
                          "--no-check-dest", "--no-traverse", "--s3-no-check-bucket",
                          "--s3-no-head", src, "ffs3:%s/%s" % (bucket, prefix)],
                         env=renv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        raise SystemExit("rclone failed: " + p.stderr.read().decode())
    names = os.listdir(src)
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "requests": len(names),
            "bytes": sum(os.path.getsize(os.path.join(src, n)) for n in names)}


def run(tool, workload, conc, port):
    prefix = "run-" + uuid.uuid4().hex[:12]
    url = "http://127.0.0.1:%d" % port
    src = os.path.join(files, workload)
    if tool in ("async", "sync"):
        r = ours(tool, workload, conc, url, prefix)
    elif tool == "boto3":
        r = boto3(src, conc, url, prefix)
    else:
        r = rclone(src, conc, url, prefix)
    # A client that reports success must have stored something; then free the space.
    if data:
        stored = os.path.join(data, bucket, prefix)
        if not os.path.isdir(stored):
            raise SystemExit("%s %s: nothing stored under %s" % (tool, workload, stored))
        shutil.rmtree(stored)
    elif not delete_prefix(prefix):  # a server without a data directory (RGW: OSD memory)
        raise SystemExit("%s %s: nothing stored under %s/" % (tool, workload, prefix))
    return r


def delete_prefix(prefix):
    """Deletes every object under prefix/ through S3 (boto3); returns how many there were."""
    import boto3 as sdk
    s3 = sdk.client("s3", endpoint_url="http://127.0.0.1:" + env["BENCH_PORT"],
                    aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        for i in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[i:i + 1000]})
        count += len(keys)
    return count


with open(env["BENCH_OUT"], "a") as log:
    latencies = [int(x) for x in env["LATENCIES"].split()]
    proxies = {lat: start_proxy(lat) for lat in latencies if lat > 0}
    try:
        for rnd in range(int(env["ROUNDS"])):
            for latency in latencies:
                port = int(env["BENCH_PORT"]) if latency == 0 else proxies[latency][1]
                for workload in env.get("WORKLOADS", "w1 w2").split():
                    for tool in env["TOOLS"].split():
                        concs = [1] if tool == "sync" else [int(c) for c in env["CONCURRENCY"].split()]
                        for conc in concs:
                            r = run(tool, workload, conc, port)
                            r.update(server=env["BENCH_SERVER"], tool=tool, workload=workload,
                                     concurrency=conc, latency_ms=latency, round=rnd,
                                     load=os.getloadavg()[0])
                            log.write(json.dumps(r) + "\n")
                            log.flush()
                            print("  %-6s %-6s %s c=%-3d +%2d ms %7.2f s" % (
                                env["BENCH_SERVER"], tool, workload, conc, latency, r["wall_s"]),
                                file=sys.stderr)
    finally:
        for p, _ in proxies.values():
            p.kill()
