#!/usr/bin/env python3
"""A loopback OpenID Connect issuer for AssumeRoleWithWebIdentity against Ceph RGW's STS.

RGW checks a web-identity token (a JWT) by fetching <iss>/.well-known/openid-configuration,
then its jwks_uri, and verifying the token's signature with the certificate in the key's
"x5c" (RGW 16.2 reads only x5c, not n/e). This server is that issuer: an RSA key and a
self-signed certificate made at start, the two documents over plain HTTP on 127.0.0.1, and an
RS256 token it signs itself (iss = its URL, aud = --client-id, sub, exp in 1 h).

With --register-at it also tells RGW about itself over IAM, signed with --key/--secret (the
user needs the caps oidc-provider=* and roles=*): CreateOpenIDConnectProvider (its URL, the
client id, the certificate's SHA-1 thumbprint), then CreateRole --role-name trusting that
provider for sts:AssumeRoleWithWebIdentity, and PutRolePolicy allowing s3:* on --bucket and on
the objects under --prefix. Then it writes the token to --token-file and prints
"listening on PORT" (tests/support/loopback_process.hpp waits for that line).
Runs until SIGTERM. Needs python3-cryptography and python3-boto3 (scripts/setup.sh).
"""
import argparse
import base64
import datetime
import hashlib
import http.server
import json
import signal
import sys
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64url(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def make_key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "functionfuse test OIDC issuer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert


def sign_jwt(key, claims, kid):
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64url(signature)


def compact(doc):
    # RGW 16.2 does not decode '+' to a space in IAM form bodies, so a policy with spaces
    # (json.dumps' default separators) reaches its parser broken: MalformedPolicyDocument.
    return json.dumps(doc, separators=(",", ":"))


def register(args, url, thumbprint):
    import boto3
    iam = boto3.client("iam", endpoint_url=args.register_at, region_name="us-east-1",
                       aws_access_key_id=args.key, aws_secret_access_key=args.secret,
                       verify=args.ca or None)
    iam.create_open_id_connect_provider(Url=url, ClientIDList=[args.client_id],
                                        ThumbprintList=[thumbprint])
    provider_arn = "arn:aws:iam:::oidc-provider/" + url.split("://", 1)[1]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": [provider_arn]},
        "Action": ["sts:AssumeRoleWithWebIdentity"]}]}
    iam.create_role(RoleName=args.role_name, AssumeRolePolicyDocument=compact(trust))
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::" + args.bucket,
                     "arn:aws:s3:::" + args.bucket + "/" + args.prefix + "*"]}]}
    iam.put_role_policy(RoleName=args.role_name, PolicyName="s3",
                        PolicyDocument=compact(policy))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--token-file", required=True)
    p.add_argument("--client-id", default="ff-client")
    p.add_argument("--subject", default="ff-test-subject")
    p.add_argument("--register-at", default="")
    p.add_argument("--key", default="")
    p.add_argument("--secret", default="")
    p.add_argument("--ca", default="")
    p.add_argument("--role-name", default="ff-oidc")
    p.add_argument("--bucket", default="ff-test")
    p.add_argument("--prefix", default="sts/")
    args = p.parse_args()

    key, cert = make_key_and_cert()
    der = cert.public_bytes(serialization.Encoding.DER)
    thumbprint = hashlib.sha1(der).hexdigest()
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "ff-1",
           "n": int_b64url(numbers.n), "e": int_b64url(numbers.e),
           "x5c": [base64.b64encode(der).decode()]}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.rstrip("/") == "/.well-known/openid-configuration":
                doc = {"issuer": url, "jwks_uri": url + "/jwks",
                       "id_token_signing_alg_values_supported": ["RS256"]}
            elif self.path == "/jwks":
                doc = {"keys": [jwk]}
            else:
                self.send_error(404)
                return
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *a):
            sys.stderr.write("oidc_issuer: " + (fmt % a) + "\n")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    url = "http://127.0.0.1:%d" % port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.register_at:
        register(args, url, thumbprint)
    now = int(time.time())
    token = sign_jwt(key, {"iss": url, "sub": args.subject, "aud": args.client_id,
                           "client_id": args.client_id, "iat": now, "exp": now + 3600}, "ff-1")
    with open(args.token_file, "w") as f:
        f.write(token)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on %d" % port, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
