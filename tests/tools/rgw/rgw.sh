#!/usr/bin/env bash
# Starts or stops a private single-node Ceph RADOS Gateway (a real S3 server) for ctest fixtures
# and benchmarks: the same interface and endpoint.env as tests/tools/s3rver.sh, so the same tests
# run against either server.
#
#   rgw.sh start <state-dir> http|https [bucket]
#   rgw.sh stop  <state-dir>
#
# What start runs (Debian 12's radosgw, ceph-mon, ceph-osd 16.2 "Pacific"; no systemd, no
# containers, as any user that can write <state-dir>): one ceph-mon, one ceph-osd on memstore
# (objects live in the OSD's RAM, at most 4 GiB), no mgr, and one radosgw with two beast
# frontends, HTTP and HTTPS, on 127.0.0.1. It stops a leftover cluster of the same state dir
# first, so every start is a fresh cluster (new fsid, empty store). It then creates the S3 user,
# creates <bucket> (default ff-test) with a signed request (boto3) as the readiness check, and
# writes, like s3rver.sh:
#   <state-dir>/endpoint.env        FF_S3_SCHEME FF_S3_HOST FF_S3_PORT FF_S3_BUCKET FF_S3_CA_FILE
#                                   FF_S3_KEY FF_S3_SECRET for the requested scheme, plus
#                                   FF_S3_SERVER=rgw and FF_S3_VHOST_DOMAIN=s3.test (extra keys;
#                                   the tests' parsers ignore keys they do not know)
#   <state-dir>/endpoint-http.env   the same for the other frontends: both always run, so one
#   <state-dir>/endpoint-https.env  cluster can serve both schemes
# stop (also run by the watchdog, below) ends the daemons by PID: radosgw, the OSD, the mon, each
# with TERM and KILL after 5 s, except the OSD, which gets KILL at once (memstore's clean
# shutdown would serialize every object into osd/ first, pointless for throwaway state). It
# removes mon/, osd/ and run/, and keeps logs, ceph.conf and the TLS files.
#
# State: everything lives under <state-dir>, nothing under /etc/ceph, /var/lib/ceph,
# /var/run/ceph or /var/log/ceph: ceph.conf (every daemon and tool gets -c and --cluster), the
# monmap, mon/ (mon data), osd/ (osd data), run/ (admin sockets, pid files), log/ (daemon logs
# and their stdout/stderr), pids/ (the PIDs this script stops), crash/, and the TLS files
# ca.pem ca.key server.pem server.key (made with openssl exactly as s3rver.sh makes them, plus
# the SANs DNS:s3.test and DNS:*.s3.test for virtual-hosted-style requests).
#
# Ports: three free loopback ports chosen at start (the OS picks them): the mon, the HTTP
# frontend, the HTTPS frontend. The OSD binds four of its own in Ceph's 6800-7300 range. All on
# 127.0.0.1 (public addr / cluster addr; msgr v2 only: ms bind msgr1 = false).
#
# Settings that are not defaults, and why (all in the generated ceph.conf):
#   auth * required = none              no cephx keyrings to make and hand around
#   ms mon client mode = crc            else radosgw under auth none loops on
#                                       "get_initial_auth_request returned -13" (msgr2 "secure"
#                                       mode is tried first and needs cephx)
#   osd objectstore = memstore,         no block device, no disk I/O; 4 GiB is an upper bound,
#   memstore device bytes = 4 GiB       RAM is only used for what is stored
#   osd pool default size/min size = 1, mon allow pool size one = true,
#   osd crush chooseleaf type = 0       one OSD on one host: replicas 1, failure domain "osd"
#   osd pool default pg num = 8, mon max pg per osd = 1000
#                                       radosgw makes ~7 pools; few PGs peer fast on one OSD
#   mon data avail warn/crit = 1        the mon would shut itself down on a disk < 5 % free
#   paxos propose interval = 0.1        the mon commits a map change at most once per interval
#                                       (default 1 s); creating radosgw's pools takes ~18 osdmap
#                                       epochs, so this cuts startup from ~16 s to ~3.5 s
#   rgw frontends = beast ... tcp_nodelay=1
#                                       without tcp_nodelay every keep-alive request waits
#                                       ~40 ms (Nagle + delayed ACK)
#   rgw dns name = s3.test, and the     virtual-hosted-style requests: Host bucket.s3.test[:port].
#   zonegroup's hostnames = [s3.test,   Nothing resolves s3.test: a client resolves it to
#   localhost] (radosgw-admin zonegroup 127.0.0.1 itself (curl --resolve, a custom resolver).
#   set, before radosgw starts)         Hosts 127.0.0.1[:port], localhost[:port], s3.test[:port]
#                                       are path-style. Any other name would be taken for a
#                                       bucket name (RGW's CNAME rule, once any host name is
#                                       configured), hence "localhost" in the list; 16.2 reads
#                                       only one name from rgw dns name.
#   rgw gc obj min wait = 60 (etc.)     deleted objects' data is garbage-collected after a minute,
#                                       not 2 hours, so memstore RAM is given back during a run
#   rgw s3 auth use sts / rgw sts key   only with FF_RGW_STS=1 (the rgw_sts fixture): STS works
#                                       then, but RGW 16.2 answers a wrong secret and an unknown
#                                       key with AccessDenied instead of SignatureDoesNotMatch /
#                                       InvalidAccessKeyId, which the other tests check. With it
#                                       the user also gets caps user-policy=*, roles=*,
#                                       oidc-provider=*, an IAM policy allowing
#                                       sts:GetSessionToken (RGW requires it) and sts:AssumeRole
#                                       (RGW 16.2 checks only the role's trust policy for that),
#                                       and the role ff-sts is made with radosgw-admin: trusted by
#                                       arn:aws:iam:::user/ff-test, allowed s3:* on the bucket and
#                                       on the objects under sts/ only. The readiness check
#                                       assumes it (boto3) and reaches the bucket with its keys;
#                                       endpoint*.env gain FF_S3_STS_ROLE_ARN, FF_S3_STS_PREFIX.
# Not set: no mgr (radosgw needs none; `ceph -s` then shows HEALTH_WARN "no active mgr").
#
# Watchdog: when started under ctest (the nearest ctest ancestor) or when FF_RGW_WATCH_PID names
# a process, a small loop (this script's "_watchdog" verb, PID in pids/watchdog.pid) runs the
# stop sequence as soon as that process is gone, so daemons never outlive a killed ctest.
# FF_RGW_WATCH_PID=0 disables it (e.g. to keep a cluster that `ctest -R rgw_http_start` made).
#
# Environment: FF_RGW_TIMEOUT (default 90) bounds start in seconds; on timeout or any failure
# start prints the tail of every log, stops what it started, and exits 1. FF_RGW_STS=1 turns STS
# on (see above). FF_RGW_MEMSTORE_BYTES (default 4 GiB) caps what the OSD holds; RGW refuses
# writes (507 / "full") when it is used up.
#
# By hand:
#   tests/tools/rgw/rgw.sh start /tmp/rgw https && cat /tmp/rgw/endpoint.env
#   ceph -c /tmp/rgw/ceph.conf -s ;  radosgw-admin -c /tmp/rgw/ceph.conf bucket list
#   tests/tools/rgw/rgw.sh stop /tmp/rgw
# Startup takes ~3.5 s on 2 cores (mon, OSD boot, radosgw's pools and their PGs, radosgw).
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
usage="usage: rgw.sh start <state-dir> [http|https] [bucket] | rgw.sh stop <state-dir>"
cmd="${1:?$usage}"
state="${2:?state dir required}"

access_key=FFRGWTESTKEY
secret_key=FFRGWTESTSECRET
dns_name=s3.test
# With FF_RGW_STS=1: the role the test user may assume, and the key prefix its policy allows.
sts_role=ff-sts
sts_role_arn="arn:aws:iam:::role/$sts_role"
sts_prefix=sts/
cluster=ceph

# A zombie (exited, not yet reaped by its new parent) counts as gone.
pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null && [[ "$(stat_field "$1" 1)" != Z ]]; }
# The PID recorded for mon|osd|rgw|watchdog, if that process still runs that program (a stale
# pidfile whose PID now belongs to something else yields nothing).
pid_of() {
  local pid comm
  [[ -f "$state/pids/$1.pid" ]] || return 0
  pid="$(cat "$state/pids/$1.pid")"
  comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
  if [[ $1 == watchdog ]]; then  # bash running this script: "... rgw.sh _watchdog <state> ..."
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF " _watchdog $state " && echo "$pid"
    return 0
  fi
  case "$1:$comm" in
    mon:ceph-mon | osd:ceph-osd | rgw:radosgw) echo "$pid" ;;
  esac
}

# Fields of /proc/<pid>/stat after the "(comm)" field: 1 = state, 2 = ppid, 20 = starttime.
stat_field() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f"$2"; }

# TERM, then KILL after 5 s; a PID that is not (or no longer) ours is left alone.
term_then_kill() {
  local pid="$1"
  pid_alive "$pid" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do pid_alive "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Ends the daemons (and the watchdog, unless we are it) by the PIDs in pids/. Order matters:
# radosgw first (it exits in well under a second while the OSD still answers; with the OSD gone
# it hangs in shutdown), then the OSD with KILL (memstore's clean shutdown would serialize every
# object into osd/, pointless for throwaway state), then the mon.
stop_daemons() {
  local keep_watchdog="${1:-}" pid
  if [[ -z $keep_watchdog ]]; then
    pid="$(pid_of watchdog)"
    if pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$state/pids/watchdog.pid"
  fi
  term_then_kill "$(pid_of rgw)"
  pid="$(pid_of osd)"
  if pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  term_then_kill "$(pid_of mon)"
  rm -f "$state"/pids/{rgw,osd,mon}.pid
}

# Logs' tails, for a start that failed.
dump_logs() {
  local f
  for f in "$state"/log/*; do
    [[ -s $f ]] || continue
    echo "==== $f (tail)" >&2
    tail -n 25 "$f" >&2
  done
}

case "$cmd" in
  start)
    scheme="${3:-http}"
    bucket="${4:-ff-test}"
    [[ $scheme == http || $scheme == https ]] || { echo "$usage" >&2; exit 2; }
    for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph openssl uuidgen curl; do
      command -v "$b" >/dev/null || {
        echo "rgw.sh: $b not found (apt-get install radosgw ceph-mon ceph-osd)" >&2; exit 1; }
    done
    timeout_s="${FF_RGW_TIMEOUT:-90}"
    t0=$SECONDS
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    stop_daemons
    rm -rf "$state"/{mon,osd,run,log,pids,crash,rgw} "$state"/{ceph.conf,monmap,keyring} \
      "$state"/endpoint{,-http,-https}.env "$state"/{ca,server}.{pem,key} "$state"/server.{csr,ext} \
      "$state"/ca.srl "$state"/zonegroup.json
    mkdir -p "$state"/{mon,osd,run,log,pids,crash,rgw}
    conf="$state/ceph.conf"
    ceph_args=(--cluster "$cluster" -c "$conf")
    export CEPH_CONF="$conf"

    # The TLS files, as tests/tools/s3rver.sh makes them (plus the virtual-host names).
    (
      cd "$state"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout ca.key -out ca.pem -days 7 -subj "/CN=functionfuse test CA" 2>/dev/null
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
      printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:$dns_name,DNS:*.$dns_name" \
        "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" > server.ext
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out server.pem -days 7 -extfile server.ext 2>/dev/null
    )

    read -r mon_port http_port https_port < <(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
    fsid="$(uuidgen)"
    # Unix sockets take paths up to 107 bytes; with a deep state dir, go without admin sockets.
    asok="$state/run/\$cluster-\$name.asok"
    ((${#state} + 32 > 107)) && asok=""
    sts_key="$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 16)"

    cat > "$conf" <<CONF
# Generated by tests/tools/rgw/rgw.sh for one throwaway single-node cluster; see that script.
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
run dir = $state/run
admin socket = $asok
pid file = $state/run/\$cluster-\$name.pid
log file = $state/log/\$cluster-\$name.log
mon cluster log file = $state/log/\$cluster.log
crash dir = $state/crash
keyring = $state/keyring
mon data = $state/mon/\$cluster-\$id
osd data = $state/osd/\$cluster-\$id
osd journal = $state/osd/\$cluster-\$id/journal
mgr data = $state/mgr/\$cluster-\$id
mds data = $state/mds/\$cluster-\$id
rgw data = $state/rgw/\$cluster-\$id
mon debug dump location = $state/log/\$cluster-\$name.tdump
osd objectstore = memstore
memstore device bytes = ${FF_RGW_MEMSTORE_BYTES:-4294967296}
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 1
mon allow pool delete = true
paxos propose interval = 0.1

[client.admin]
# ceph and radosgw-admin: no admin socket (several may run at once).
admin socket =

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$http_port ssl_endpoint=127.0.0.1:$https_port ssl_certificate=$state/server.pem ssl_private_key=$state/server.key tcp_nodelay=1
rgw dns name = $dns_name
rgw gc obj min wait = 60
rgw gc processor period = 60
rgw gc processor max time = 60
CONF
    # STS (AssumeRole, GetSessionToken) only on request: with it, RGW 16.2 answers a wrong
    # secret and an unknown access key both with AccessDenied (the STS engine's verdict wins)
    # instead of SignatureDoesNotMatch / InvalidAccessKeyId, which the tests check.
    if [[ ${FF_RGW_STS:-0} == 1 ]]; then
      cat >> "$conf" <<CONF
# STS: the key encrypts session tokens, exactly 16 characters.
rgw s3 auth use sts = true
rgw sts key = $sts_key
CONF
    fi

    start_daemon() {  # name, command...: runs in the foreground of its own session
      local name="$1"
      shift
      setsid "$@" >"$state/log/$name.out" 2>&1 </dev/null &
      echo $! > "$state/pids/$name.pid"
      disown $!
    }
    fail() {
      echo "rgw.sh: $1 ($((SECONDS - t0)) s after start; state in $state)" >&2
      dump_logs
      stop_daemons
      exit 1
    }
    left() { local l=$((timeout_s - (SECONDS - t0))); echo $((l > 1 ? l : 1)); }
    alive_or_fail() {
      local name
      for name in mon osd rgw; do
        [[ -f "$state/pids/$name.pid" ]] || continue
        pid_alive "$(pid_of $name)" || fail "ceph $name exited"
      done
    }

    monmaptool --create --add a "127.0.0.1:$mon_port" --fsid "$fsid" "$state/monmap" \
      >"$state/log/monmaptool.out" 2>&1 || fail "monmaptool failed"
    ceph-mon "${ceph_args[@]}" --mkfs -i a --monmap "$state/monmap" \
      >"$state/log/mon-mkfs.out" 2>&1 || fail "ceph-mon --mkfs failed"
    start_daemon mon ceph-mon "${ceph_args[@]}" -f -i a

    # Watchdog: ends the daemons when the process that owns the fixture (ctest) is gone.
    watch="${FF_RGW_WATCH_PID:-}"
    if [[ -z $watch ]]; then
      p=$PPID
      while [[ -n $p && $p -gt 1 ]]; do
        if [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == ctest ]]; then watch=$p; break; fi
        p="$(stat_field "$p" 2)"
      done
    fi
    if [[ -n $watch && $watch != 0 ]]; then
      setsid "$self" _watchdog "$state" "$watch" "$(stat_field "$watch" 20)" \
        >"$state/log/watchdog.out" 2>&1 </dev/null &
      echo $! > "$state/pids/watchdog.pid"
      disown $!
    fi

    # The OSD: an id from the mon (this also waits for the mon to answer), a memstore, the daemon.
    osd_uuid="$(uuidgen)"
    osd_id="$(timeout "$(left)" ceph "${ceph_args[@]}" --connect-timeout "$(left)" \
      osd new "$osd_uuid" 2>"$state/log/osd-new.out")" || fail "the mon did not answer (ceph osd new)"
    mkdir -p "$state/osd/$cluster-$osd_id"
    ceph-osd "${ceph_args[@]}" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" \
      >"$state/log/osd-mkfs.out" 2>&1 || fail "ceph-osd --mkfs failed"
    start_daemon osd ceph-osd "${ceph_args[@]}" -f -i "$osd_id"

    # The S3 user. The first radosgw-admin call also creates the default zone and zonegroup
    # (and their pools, so it waits for the OSD to be up).
    timeout "$(left)" radosgw-admin "${ceph_args[@]}" user create --uid ff-test \
      --display-name "functionfuse tests" --access-key "$access_key" --secret "$secret_key" \
      >"$state/log/user-create.out" 2>&1 || fail "radosgw-admin user create failed"
    if [[ ${FF_RGW_STS:-0} == 1 ]]; then
      # Caps: user-policy=* to attach its own IAM policy (readiness check below), roles=* and
      # oidc-provider=* so a test may manage roles and OIDC providers over IAM as well.
      timeout "$(left)" radosgw-admin "${ceph_args[@]}" caps add --uid ff-test \
        --caps "user-policy=*;roles=*;oidc-provider=*" \
        >>"$state/log/user-create.out" 2>&1 || fail "radosgw-admin caps add failed"
      # The role the tests assume: trusted by the test user, allowed s3:* on the bucket itself
      # (ListBucket etc.) and on the objects under $sts_prefix only, so a test can tell the
      # role's credentials from the user's (who owns the whole bucket).
      timeout "$(left)" radosgw-admin "${ceph_args[@]}" role create --role-name "$sts_role" \
        --assume-role-policy-doc "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam:::user/ff-test\"]},\"Action\":[\"sts:AssumeRole\"]}]}" \
        >"$state/log/role-create.out" 2>&1 || fail "radosgw-admin role create failed"
      timeout "$(left)" radosgw-admin "${ceph_args[@]}" role-policy put --role-name "$sts_role" \
        --policy-name s3 \
        --policy-doc "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/$sts_prefix*\"]}]}" \
        >>"$state/log/role-create.out" 2>&1 || fail "radosgw-admin role-policy put failed"
    fi
    # The zonegroup's host names, read by radosgw at start: "s3.test" for virtual-hosted style
    # and "localhost" so that Host: localhost stays path-style. (RGW takes any other non-IP Host
    # that is not under one of these names for a bucket name, the CNAME rule; rgw dns name
    # holds only one name in 16.2.)
    timeout "$(left)" radosgw-admin "${ceph_args[@]}" zonegroup get >"$state/zonegroup.json" \
      2>"$state/log/zonegroup.out" || fail "radosgw-admin zonegroup get failed"
    /usr/bin/python3 - "$state/zonegroup.json" "$dns_name" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
with open(path) as f:
    zonegroup = json.load(f)
zonegroup["hostnames"] = [name, "localhost"]
with open(path, "w") as f:
    json.dump(zonegroup, f)
PY
    timeout "$(left)" radosgw-admin "${ceph_args[@]}" zonegroup set --infile "$state/zonegroup.json" \
      >>"$state/log/zonegroup.out" 2>&1 || fail "radosgw-admin zonegroup set failed"
    start_daemon rgw radosgw "${ceph_args[@]}" -f -n client.rgw.a

    # radosgw creates its remaining pools, then opens its frontends: wait for any HTTP answer.
    until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/"; do
      alive_or_fail
      ((SECONDS - t0 < timeout_s)) || fail "radosgw did not answer on 127.0.0.1:$http_port within ${timeout_s} s"
      sleep 0.2
    done

    # Readiness: the bucket is created with a signed request over the requested scheme (HTTPS
    # verified against our CA), and the other frontend answers a signed request too.
    if [[ $scheme == https ]]; then other=http; else other=https; fi
    env -u AWS_CA_BUNDLE -u SSL_CERT_FILE -u REQUESTS_CA_BUNDLE -u AWS_PROFILE \
      -u AWS_ENDPOINT_URL -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE \
      RGW_MAIN="$scheme://127.0.0.1:$([[ $scheme == http ]] && echo "$http_port" || echo "$https_port")" \
      RGW_OTHER="$other://127.0.0.1:$([[ $other == http ]] && echo "$http_port" || echo "$https_port")" \
      RGW_CA="$state/ca.pem" RGW_KEY="$access_key" RGW_SECRET="$secret_key" RGW_BUCKET="$bucket" \
      RGW_DEADLINE="$(left)" RGW_STS="${FF_RGW_STS:-0}" RGW_STS_ROLE_ARN="$sts_role_arn" \
      /usr/bin/python3 - >"$state/log/ready.out" 2>&1 <<'PY' ||
import json, os, time
import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

e = os.environ
deadline = time.monotonic() + float(e["RGW_DEADLINE"])

def client(url):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=e["RGW_KEY"], aws_secret_access_key=e["RGW_SECRET"],
                        verify=e["RGW_CA"] if url.startswith("https") else None,
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2,
                                      read_timeout=10, s3={"addressing_style": "path"}))

while True:
    try:
        try:
            client(e["RGW_MAIN"]).create_bucket(Bucket=e["RGW_BUCKET"])
        except ClientError as err:
            if err.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
                raise
        client(e["RGW_OTHER"]).head_bucket(Bucket=e["RGW_BUCKET"])
        if e["RGW_STS"] == "1":
            # RGW's GetSessionToken needs an IAM policy that allows it; AssumeRole is allowed
            # as well, as on AWS (RGW 16.2 checks only the role's trust policy for it).
            verify = e["RGW_CA"] if e["RGW_MAIN"].startswith("https") else None
            boto3.client("iam", endpoint_url=e["RGW_MAIN"], region_name="us-east-1",
                         aws_access_key_id=e["RGW_KEY"], aws_secret_access_key=e["RGW_SECRET"],
                         verify=verify
                         ).put_user_policy(UserName="ff-test", PolicyName="sts", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["sts:GetSessionToken", "sts:AssumeRole"],
                     "Resource": "*"}]},
                # no spaces: RGW 16.2 does not decode '+' in IAM form bodies (CreateRole then
                # answers MalformedPolicyDocument; see tests/tools/oidc_issuer.py)
                separators=(",", ":")))
            # STS answers: the role is assumed and its credentials reach the bucket.
            c = boto3.client("sts", endpoint_url=e["RGW_MAIN"], region_name="us-east-1",
                             aws_access_key_id=e["RGW_KEY"], aws_secret_access_key=e["RGW_SECRET"],
                             verify=verify).assume_role(RoleArn=e["RGW_STS_ROLE_ARN"],
                                                        RoleSessionName="ready")["Credentials"]
            boto3.client("s3", endpoint_url=e["RGW_MAIN"], region_name="us-east-1",
                         aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"], verify=verify,
                         config=Config(s3={"addressing_style": "path"})
                         ).head_bucket(Bucket=e["RGW_BUCKET"])
        print("ready")
        break
    except (BotoCoreError, ClientError) as err:
        print("not ready:", err, flush=True)
        if time.monotonic() > deadline:
            raise SystemExit(1)
        time.sleep(0.3)
PY
      fail "no signed S3 request succeeded"

    write_env() {  # scheme port file
      cat > "$3.tmp" <<ENV
FF_S3_SCHEME=$1
FF_S3_HOST=127.0.0.1
FF_S3_PORT=$2
FF_S3_BUCKET=$bucket
FF_S3_CA_FILE=$([[ $1 == https ]] && echo "$state/ca.pem" || true)
FF_S3_KEY=$access_key
FF_S3_SECRET=$secret_key
FF_S3_SERVER=rgw
FF_S3_VHOST_DOMAIN=$dns_name
ENV
      if [[ ${FF_RGW_STS:-0} == 1 ]]; then
        printf '%s\n' "FF_S3_STS_ROLE_ARN=$sts_role_arn" "FF_S3_STS_PREFIX=$sts_prefix" >>"$3.tmp"
      fi
      mv "$3.tmp" "$3"
    }
    write_env http "$http_port" "$state/endpoint-http.env"
    write_env https "$https_port" "$state/endpoint-https.env"
    cp "$state/endpoint-$scheme.env" "$state/endpoint.env.tmp"
    mv "$state/endpoint.env.tmp" "$state/endpoint.env"
    port_var=${scheme}_port
    echo "radosgw ($scheme) on 127.0.0.1:${!port_var} (http $http_port, https $https_port)," \
      "up in $((SECONDS - t0)) s, state in $state"
    ;;
  stop)
    [[ -d $state ]] || exit 0
    state="$(cd "$state" && pwd)"
    stop_daemons
    rm -rf "$state"/{mon,osd,run}
    ;;
  _watchdog)  # internal: _watchdog <state-dir> <pid> <its start time>
    watch="${3:?}"
    since="${4:-}"
    while sleep 1; do
      if ! pid_alive "$watch" || [[ "$(stat_field "$watch" 20)" != "$since" ]]; then
        echo "watchdog: process $watch is gone, stopping the cluster"
        stop_daemons keep-watchdog
        rm -f "$state/pids/watchdog.pid"
        exit 0
      fi
      # Nothing left to watch over (stopped by hand, or the daemons died).
      any=""
      for name in mon osd rgw; do pid_alive "$(pid_of $name)" && any=1; done
      [[ -n $any ]] || exit 0
    done
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
