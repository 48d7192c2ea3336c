#!/usr/bin/env python3
"""Loopback AWS credential endpoints for the credential-chain tests, speaking the documented
protocols (written for these tests; nothing here is copied from an SDK):

  --mode imds       IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds
                    (1..21600) answers a session token; every GET under /latest/ needs it in
                    X-aws-ec2-metadata-token (401 without, or once it expired);
                    /latest/meta-data/iam/security-credentials/ answers the role name,
                    .../<role> the credentials JSON, /latest/meta-data/placement/region.
  --mode container  ECS/EKS container endpoint: GET <--path> answers the credentials JSON;
                    with --auth-token (or --auth-token-file, read per request) the
                    Authorization header must carry it (401 without, 403 wrong).
  --mode sts        STS Query API: POST / with Action=AssumeRole (SigV4-signed with one of
                    --source-key ID:SECRET, checked) or AssumeRoleWithWebIdentity (the
                    WebIdentityToken must equal --web-token), answering the documented XML.

Credentials rotate: a generation lives --lifetime seconds and a new one is issued from half
its life on (as IMDS does ahead of expiry). --revoke-after S ends each key at s3rver after S
seconds, long before the Expiration announced, and rotates then: the client meets
ExpiredToken and must refresh and retry. --keys-file records every issued key
{id: {"secret", "expires"}} for s3rver (tests/tools/s3rver_run.js --temporary-keys), and
--state-file what was served (counts, key ids) for the tests. --fault makes every
credentials answer fail: 500, malformed (not JSON/XML), huge (1 MiB), slow (answers after
--slow-seconds), ctrl (a CR/LF in the key id), noexpiry. --marker is put into every secret and
token, so a test can grep messages for it. --error-document s3 answers STS errors as Ceph
RGW does (the S3 <Error> document) instead of AWS's <ErrorResponse>. Prints "listening on
PORT" when ready.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
state = {"issued": [], "token_puts": 0, "credential_gets": 0, "unauthorized": 0, "sts_calls": 0,
         "session_names": []}
generation = {"creds": None, "start": 0.0}
imds_tokens = {}  # token -> expiry (monotonic)


def rand(n, alphabet=string.ascii_uppercase + string.digits):
    return "".join(random.choice(alphabet) for _ in range(n))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def save_state():
    if args.state_file:
        tmp = args.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, args.state_file)


def record_key(creds):
    if not args.keys_file:
        return
    try:
        with open(args.keys_file) as f:
            keys = json.load(f)
    except (OSError, ValueError):
        keys = {}
    expires = creds["expires"]
    if args.revoke_after:  # the server side ends the key before the Expiration it announced
        expires = time.time() + args.revoke_after
    keys[creds["AccessKeyId"]] = {"secret": creds["SecretAccessKey"], "expires": expires}
    tmp = args.keys_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump(keys, f)
    os.replace(tmp, args.keys_file)


def current_credentials():
    """The current generation, rotated from half its lifetime on."""
    with lock:
        now = time.time()
        g = generation
        rotate_after = args.lifetime / 2.0
        if args.revoke_after:
            rotate_after = min(rotate_after, args.revoke_after)
        if g["creds"] is None or now >= g["start"] + rotate_after:
            if args.fixed_key:
                key_id, secret = args.fixed_key.split(":", 1)
            else:
                key_id, secret = "ASIA" + rand(16), rand(40, string.ascii_letters + string.digits)
            creds = {
                "AccessKeyId": key_id,
                "SecretAccessKey": secret + args.marker,
                "Token": "IQoJb3JpZ2luX2Vj" + rand(60, string.ascii_letters) + args.marker,
                "expires": now + args.lifetime,
            }
            g["creds"], g["start"] = creds, now
            state["issued"].append(key_id)
            record_key(creds)
            save_state()
        return dict(g["creds"])


def fault_body(kind):
    if kind == "malformed":
        return b'{"AccessKeyId": "ASIAX", "SecretAccessKey": '
    if kind == "huge":
        return b"x" * (1 << 20)
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def send(self, status, body, ctype="text/plain"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def credentials_answer(self, as_json):
        """Answers the credentials document (JSON) or applies the fault."""
        if args.fault == "slow":
            time.sleep(args.slow_seconds)
        if args.fault == "500":
            return self.send(500, "internal error")
        body = fault_body(args.fault)
        if body is not None:
            return self.send(200, body)
        c = current_credentials()
        with lock:
            state["credential_gets"] += 1
            save_state()
        key = c["AccessKeyId"] + ("\r\nX-Injected: 1" if args.fault == "ctrl" else "")
        doc = {"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": iso(time.time()),
               "AccessKeyId": key, "SecretAccessKey": c["SecretAccessKey"], "Token": c["Token"]}
        if args.fault != "noexpiry":
            doc["Expiration"] = iso(c["expires"])
        return as_json(doc)

    # --- IMDSv2 ---------------------------------------------------------------------------
    def imds_token_ok(self):
        tok = self.headers.get("X-aws-ec2-metadata-token")
        exp = imds_tokens.get(tok) if tok else None
        return exp is not None and time.monotonic() < exp

    def do_PUT(self):
        if args.mode != "imds" or self.path != "/latest/api/token":
            return self.send(404, "not found")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            ttl = int(self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", ""))
        except ValueError:
            return self.send(400, "missing or bad X-aws-ec2-metadata-token-ttl-seconds")
        if not 1 <= ttl <= 21600:
            return self.send(400, "bad TTL")
        tok = "AQAEA" + rand(40, string.ascii_letters) + args.marker
        with lock:
            imds_tokens[tok] = time.monotonic() + ttl
            state["token_puts"] += 1
            save_state()
        self.send_response(200)
        self.send_header("X-aws-ec2-metadata-token-ttl-seconds", str(ttl))
        self.send_header("Content-Length", str(len(tok)))
        self.end_headers()
        self.wfile.write(tok.encode())

    def do_GET(self):
        json_answer = lambda doc: self.send(200, json.dumps(doc), "application/json")
        if args.mode == "imds":
            if not self.path.startswith("/latest/"):
                return self.send(404, "not found")
            if not self.imds_token_ok():
                with lock:
                    state["unauthorized"] += 1
                    save_state()
                return self.send(401, "")
            base = "/latest/meta-data/iam/security-credentials/"
            if self.path == base:
                return self.send(200, args.role)
            if self.path == base + args.role:
                return self.credentials_answer(json_answer)
            if self.path == "/latest/meta-data/placement/region":
                return self.send(200, "eu-test-1")
            return self.send(404, "not found")
        if args.mode == "container":
            if self.path != args.path:
                return self.send(404, "not found")
            expected = args.auth_token
            if args.auth_token_file:
                with open(args.auth_token_file) as f:
                    expected = f.read().strip()
            if expected:
                got = self.headers.get("Authorization")
                if got is None:
                    return self.send(401, json.dumps({"message": "no Authorization"}))
                if got != expected:
                    return self.send(403, json.dumps({"message": "wrong Authorization"}))
            return self.credentials_answer(
                lambda doc: json_answer({k: v for k, v in doc.items() if k != "Code"}))
        return self.send(404, "not found")

    # --- STS --------------------------------------------------------------------------------
    def sts_error(self, status, code, message):
        if args.error_document == "s3":  # Ceph RGW's STS: the S3 error document
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
                    "<Message>%s</Message><RequestId>%s</RequestId></Error>"
                    % (code, message, rand(8)))
        else:
            body = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                    "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
                    "<RequestId>%s</RequestId></ErrorResponse>" % (code, message, rand(8)))
        return self.send(status, body, "text/xml")

    def check_sigv4(self, body):
        """Verifies the SigV4 Authorization of a POST / (service sts)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "MissingAuthenticationToken"
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        key_id, date, region, service, term = fields["Credential"].split("/")
        sources = dict(s.split(":", 1) for s in args.source_key)
        if key_id not in sources or service != "sts" or term != "aws4_request":
            return "InvalidClientTokenId"
        signed = fields["SignedHeaders"].split(";")
        canonical_headers = "".join(
            "%s:%s\n" % (h, " ".join((self.headers.get(h) or "").split())) for h in signed)
        canonical = "\n".join(["POST", "/", "", canonical_headers, fields["SignedHeaders"],
                               hashlib.sha256(body).hexdigest()])
        amz_date = self.headers.get("X-Amz-Date", "")
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, "/".join([date, region, service, term]),
                             hashlib.sha256(canonical.encode()).hexdigest()])
        k = ("AWS4" + sources[key_id]).encode()
        for part in (date, region, service, term):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        if hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest() != fields["Signature"]:
            return "SignatureDoesNotMatch"
        return None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if args.mode != "sts" or self.path != "/":
            return self.send(404, "not found")
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = form.get("Action")
        with lock:
            state["sts_calls"] += 1
            state["session_names"].append(form.get("RoleSessionName", ""))
            save_state()
        if form.get("Version") != "2011-06-15":
            return self.sts_error(400, "InvalidAction", "bad Version")
        if action == "AssumeRole":
            problem = self.check_sigv4(body)
            if problem:
                return self.sts_error(403, problem, "the request signature is not valid")
        elif action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != args.web_token:
                # Echoes the token, as a careless server might: the client must redact it.
                return self.sts_error(400, "InvalidIdentityToken",
                                      "token %s is not valid" % form.get("WebIdentityToken"))
        else:
            return self.sts_error(400, "InvalidAction", "unknown action")
        if form.get("RoleArn") != args.role_arn:
            return self.sts_error(403, "AccessDenied", "not authorized to assume that role")
        if args.fault == "slow":
            time.sleep(args.slow_seconds)
        if args.fault == "500":
            return self.sts_error(500, "InternalFailure", "internal failure")
        fb = fault_body(args.fault)
        if fb is not None:
            return self.send(200, fb, "text/xml")
        c = current_credentials()
        with lock:
            state["credential_gets"] += 1
            save_state()
        key = c["AccessKeyId"] + ("\r\nX-Injected: 1" if args.fault == "ctrl" else "")
        xml = ("<{a}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{a}Result>"
               "<Credentials><AccessKeyId>{k}</AccessKeyId><SecretAccessKey>{s}</SecretAccessKey>"
               "<SessionToken>{t}</SessionToken><Expiration>{e}</Expiration></Credentials>"
               "<AssumedRoleUser><Arn>{r}/{n}</Arn><AssumedRoleId>AROA:{n}</AssumedRoleId>"
               "</AssumedRoleUser></{a}Result><ResponseMetadata><RequestId>{q}</RequestId>"
               "</ResponseMetadata></{a}Response>").format(
                   a=action, k=key, s=c["SecretAccessKey"], t=c["Token"],
                   e="" if args.fault == "noexpiry" else iso(c["expires"]),
                   r=args.role_arn, n=form.get("RoleSessionName", ""), q=rand(8))
        return self.send(200, xml, "text/xml")


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["imds", "container", "sts"], required=True)
    p.add_argument("--lifetime", type=float, default=3600)
    p.add_argument("--fixed-key", default="")
    p.add_argument("--keys-file", default="")
    p.add_argument("--state-file", default="")
    p.add_argument("--fault", default="none",
                   choices=["none", "500", "malformed", "huge", "slow", "ctrl", "noexpiry"])
    p.add_argument("--slow-seconds", type=float, default=5)
    p.add_argument("--error-document", choices=["aws", "s3"], default="aws",
                   help="STS errors as AWS's <ErrorResponse> or, like Ceph RGW, <Error>")
    p.add_argument("--revoke-after", type=float, default=0)
    p.add_argument("--marker", default="")
    p.add_argument("--role", default="ff-test-role")
    p.add_argument("--path", default="/v2/credentials/ff-test")
    p.add_argument("--auth-token", default="")
    p.add_argument("--auth-token-file", default="")
    p.add_argument("--role-arn", default="arn:aws:iam::123456789012:role/ff-test")
    p.add_argument("--web-token", default="")
    p.add_argument("--source-key", action="append", default=[])
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    save_state()
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
