#!/usr/bin/python3
"""By-hand check of a running rgw.sh cluster: python3 check.py <state-dir>.

With boto3 over both frontends (HTTPS verified against the fixture's CA): bucket create,
put/get/list/delete, a 2-part multipart upload, EntityTooSmall, error documents, a key with
"//", path style with Host localhost, virtual-hosted style (bucket.s3.test resolved to 127.0.0.1
in-process for boto3, with --resolve for curl), wrong-credential error codes, and STS
GetSessionToken (only when started with FF_RGW_STS=1). Prints what RGW answered where it
differs from AWS/s3rver in ways tests notice. Exits non-zero on the first failed check.
"""
import hashlib
import os
import socket
import subprocess
import sys

for var in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "AWS_PROFILE",
            "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(var, None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


state = sys.argv[1]
envs = {s: load_env(f"{state}/endpoint-{s}.env") for s in ("http", "https")}
domain = envs["http"]["FF_S3_VHOST_DOMAIN"]

# The resolve trick: <anything>.s3.test and s3.test resolve to 127.0.0.1, in this process only.
_getaddrinfo = socket.getaddrinfo


def _resolve(host, *args, **kw):
    if isinstance(host, str) and (host == domain or host.endswith("." + domain)):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kw)


socket.getaddrinfo = _resolve


def client(scheme, host="127.0.0.1", style="path", service="s3"):
    e = envs[scheme]
    return boto3.client(
        service, endpoint_url=f"{scheme}://{host}:{e['FF_S3_PORT']}", region_name="us-east-1",
        aws_access_key_id=e["FF_S3_KEY"], aws_secret_access_key=e["FF_S3_SECRET"],
        verify=e["FF_S3_CA_FILE"] or None,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": style}))


def check(scheme):
    print(f"--- {scheme}")
    s3 = client(scheme)
    bucket = f"ff-check-{scheme}"
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "BucketAlreadyOwnedByYou", err
    print("buckets:", [b["Name"] for b in s3.list_buckets()["Buckets"]])
    s3.put_object(Bucket=bucket, Key="a/one", Body=b"hello")
    s3.put_object(Bucket=bucket, Key="a/two", Body=b"")
    s3.put_object(Bucket=bucket, Key="b", Body=b"x" * 1000)
    assert s3.get_object(Bucket=bucket, Key="a/one")["Body"].read() == b"hello"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="a/")["Contents"]]
    assert keys == ["a/one", "a/two"], keys
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=2)
    page2 = s3.list_objects_v2(Bucket=bucket, MaxKeys=2,
                               ContinuationToken=page["NextContinuationToken"])
    assert [o["Key"] for o in page2["Contents"]] == ["b"]
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a/one"}, {"Key": "nope"}]})
    print("delete_objects deleted:", [d["Key"] for d in r.get("Deleted", [])])
    s3.delete_object(Bucket=bucket, Key="a/two")

    try:
        s3.get_object(Bucket=bucket, Key="missing")
    except ClientError as err:
        print("NoSuchKey error:", err.response["Error"])

    # Multipart: two parts, the first exactly 5 MiB.
    p1, p2 = os.urandom(5 << 20), os.urandom(3 << 20)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    parts = []
    for n, data in ((1, p1), (2, p2)):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=n, Body=data)
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": parts})
    aws_etag = '"%s-2"' % hashlib.md5(
        hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest()
    print("multipart ETag:", r["ETag"], "(AWS formula:", aws_etag + ")")
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == p1 + p2
    print("multipart GET ETag:", got["ETag"], "length", got["ContentLength"])

    # A non-last part under 5 MiB: EntityTooSmall at completion.
    up = s3.create_multipart_upload(Bucket=bucket, Key="small")
    parts = []
    for n in (1, 2):
        r = s3.upload_part(Bucket=bucket, Key="small", UploadId=up["UploadId"], PartNumber=n,
                           Body=b"y" * 1024)
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    try:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": parts})
        print("small parts: completed (no EntityTooSmall)")
    except ClientError as err:
        print("small parts:", err.response["Error"], err.response["ResponseMetadata"]["HTTPStatusCode"])
        s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=up["UploadId"])

    # Virtual-hosted style: Host ff-check-<scheme>.s3.test:<port>.
    vh = client(scheme, host=domain, style="virtual")
    vh.put_object(Bucket=bucket, Key="vhost", Body=b"vh")
    assert vh.get_object(Bucket=bucket, Key="vhost")["Body"].read() == b"vh"
    assert "vhost" in [o["Key"] for o in vh.list_objects_v2(Bucket=bucket)["Contents"]]
    print("virtual-hosted style OK")
    # Path style with Host localhost too.
    assert client(scheme, host="localhost").get_object(Bucket=bucket, Key="vhost")["Body"].read() == b"vh"

    # The same virtual-hosted request with curl --resolve (curl 7.88's --aws-sigv4 needs the
    # x-amz-content-sha256 header spelled out: RGW assumes it otherwise and the signature fails).
    e = envs[scheme]
    port = e["FF_S3_PORT"]
    cmd = ["curl", "-sS", "--fail-with-body", "--aws-sigv4", "aws:amz:us-east-1:s3",
           "-u", f"{e['FF_S3_KEY']}:{e['FF_S3_SECRET']}", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
           "--resolve", f"{bucket}.{domain}:{port}:127.0.0.1",
           f"{scheme}://{bucket}.{domain}:{port}/vhost"]
    if e["FF_S3_CA_FILE"]:
        cmd[1:1] = ["--cacert", e["FF_S3_CA_FILE"]]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, CURL_CA_BUNDLE=""))
    assert out.returncode == 0 and out.stdout == "vh", (out.returncode, out.stdout, out.stderr)
    print("curl --resolve virtual-hosted style OK")

    # A key with an empty path segment (s3rver 404s on these).
    s3.put_object(Bucket=bucket, Key="double//slash", Body=b"ds")
    assert s3.get_object(Bucket=bucket, Key="double//slash")["Body"].read() == b"ds"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="double")["Contents"]] == ["double//slash"]
    print("key with '//' OK")

    for key in ("mp", "vhost", "b", "double//slash"):
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)
    print("cleaned up")


for scheme in ("http", "https"):
    check(scheme)

# Wrong secret / unknown key: the codes the tests expect (with FF_RGW_STS=1 both are AccessDenied).
for key, secret in ((envs["http"]["FF_S3_KEY"], "wrong"), ("NOSUCHKEY", "wrong")):
    bad = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{envs['http']['FF_S3_PORT']}",
                       region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
                       config=Config(retries={"max_attempts": 1}))
    try:
        bad.put_object(Bucket=envs["http"]["FF_S3_BUCKET"], Key="x", Body=b"1")
    except ClientError as err:
        print(f"bad credentials ({key}):", err.response["Error"]["Code"],
              err.response["ResponseMetadata"]["HTTPStatusCode"])

sts = client("http", service="sts")
try:
    tok = sts.get_session_token(DurationSeconds=900)["Credentials"]
    e = envs["http"]
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{e['FF_S3_PORT']}",
                      region_name="us-east-1", aws_access_key_id=tok["AccessKeyId"],
                      aws_secret_access_key=tok["SecretAccessKey"],
                      aws_session_token=tok["SessionToken"])
    print("STS GetSessionToken OK; buckets with the session credentials:",
          [b["Name"] for b in s3.list_buckets()["Buckets"]])
except ClientError as err:
    print("STS GetSessionToken not available (start with FF_RGW_STS=1):",
          err.response["ResponseMetadata"]["HTTPStatusCode"])
print("all checks passed")
