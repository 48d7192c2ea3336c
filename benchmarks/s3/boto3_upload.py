"""boto3 peer of the S3 throughput benchmark: PUTs every file of a directory from a thread pool.

    boto3_upload.py ENDPOINT BUCKET PREFIX DIR THREADS      (credentials in $K and $S)

Prints one JSON line: wall and CPU seconds of the uploads only (client set-up excluded).
"""
import json
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import botocore.handlers

url, bucket, prefix, src, threads = sys.argv[1:6]
threads = int(threads)
names = sorted(os.listdir(src), key=int)
bodies = [(name, open(os.path.join(src, name), "rb").read()) for name in names]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id=os.environ["K"], aws_secret_access_key=os.environ["S"],
                  config=botocore.config.Config(max_pool_connections=threads,
                                                s3={"addressing_style": "path"}))
# botocore asks every PutObject to wait for "100 Continue" first, an extra round trip per
# request that our client does not pay either; off, so that both send the body at once.
s3.meta.events.unregister("before-call.s3", botocore.handlers.add_expect_header)
# Loads PutObject's operation model outside the timed part (no request: the nginx sink could
# not answer ListBuckets).
s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "warm-up"})


def put(item):
    s3.put_object(Bucket=bucket, Key=prefix + "/" + item[0], Body=item[1])


r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
with ThreadPoolExecutor(threads) as pool:
    list(pool.map(put, bodies))
t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": t1 - t0,
                  "cpu_s": (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime),
                  "requests": len(bodies), "bytes": sum(len(b) for _, b in bodies)}))
