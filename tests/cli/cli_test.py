#!/usr/bin/python3
"""ffuse as a user runs it: the installed binary against stores the library wrote, a store laid
out as the Python original writes one (pickles + bigdata/ HDF5), and an S3 server.

    cli_test.py file   # file stores
    cli_test.py s3     # the S3 server named by FF_S3_ENDPOINT_FILE (ctest fixture)

Environment: FF_BUILD_DIR (installed from it into a temporary prefix: the test runs
<prefix>/bin/ffuse), FF_WRITE_STORE (the helper that writes stores through the library).
"""
import glob
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import h5py
import numpy as np

MODE = sys.argv.pop(1) if len(sys.argv) > 1 else "file"
WORK = tempfile.mkdtemp(prefix="ffuse-cli-")
PREFIX = os.path.join(WORK, "prefix")
subprocess.run(["cmake", "--install", os.environ["FF_BUILD_DIR"], "--prefix", PREFIX],
               check=True, stdout=subprocess.DEVNULL)
FFUSE = os.path.join(PREFIX, "bin", "ffuse")
WRITE_STORE = os.environ["FF_WRITE_STORE"]


def ffuse(*args, expect=0, env=None):
    p = subprocess.run([FFUSE, *args], capture_output=True, text=True, env=env)
    assert p.returncode == expect, (args, p.returncode, p.stdout, p.stderr)
    return p


def file_config(path):
    return json.dumps({"kind": "file", "options": {"path": path, "fsync": False}})


def write_store(config, mode):
    subprocess.run([WRITE_STORE, config, mode], check=True)


def python_original_store(root):
    """The Python original's layout: pickle with persistent ids + SHA-1, bigdata/<uuid> HDF5."""
    big = os.path.join(root, "wf", "bigdata")
    os.makedirs(big, exist_ok=True)

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, np.ndarray):
                name = str(uuid.uuid4())
                with h5py.File(os.path.join(big, name), "w") as f:
                    f.create_dataset("dask_arrays", data=obj, chunks=(2, 3))
                return ("HDFSerializer", ("0.0.0", name))
            return None

    buf = io.BytesIO()
    P(buf, protocol=4).dump({"loss": 0.25, "weights": np.arange(20, dtype="<f8").reshape(4, 5)})
    data = buf.getvalue()
    with open(os.path.join(root, "wf", "train"), "wb") as f:
        f.write(data + hashlib.sha1(data).digest())


def load_python(root, wf, task):
    """Reads a file store the way the Python original does (pickle + h5py)."""
    with open(os.path.join(root, wf, task), "rb") as f:
        raw = f.read()
    data, digest = raw[:-20], raw[-20:]
    assert hashlib.sha1(data).digest() == digest

    class U(pickle.Unpickler):
        def persistent_load(self, pid):
            tag, (version, name) = pid
            with h5py.File(os.path.join(root, wf, "bigdata", name), "r") as f:
                return f["dask_arrays"][()]

    return U(io.BytesIO(data)).load()


def age(path, seconds=7200):
    t = time.time() - seconds
    os.utime(path, (t, t))


class Usage(unittest.TestCase):
    def test_help_and_exit_codes(self):
        self.assertIn("Exit codes", ffuse("--help").stdout)
        for cmd in ["ls", "cat", "rm", "du", "gc", "cp"]:
            self.assertIn("Usage", ffuse(cmd, "--help").stdout + ffuse(cmd, "--help").stderr)
            # Every command takes the same S3 store options and lists them.
            for flag in ["--endpoint", "--s3-region", "--profile", "--addressing", "--ca-file"]:
                self.assertIn(flag, ffuse(cmd, "--help").stdout, (cmd, flag))
        # --region is cat's array region, not the S3 region (--s3-region).
        ffuse("ls", WORK, "--region", "eu-west-1", expect=2)
        ffuse(expect=2)
        ffuse("ls", expect=2)
        ffuse("frobnicate", expect=2)
        ffuse("cat", WORK, "wf", expect=2)
        ffuse("gc", WORK, "--grace", "soon", expect=2)
        ffuse("rm", WORK, "wf", expect=2)  # nothing to remove named
        p = ffuse("ls", os.path.join(WORK, "nowhere"), expect=1)
        self.assertIn("nowhere", p.stderr)


@unittest.skipUnless(MODE == "file", "file stores")
class FileStores(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(dir=WORK)
        write_store(file_config(self.root), "sample")

    def test_ls(self):
        self.assertIn("demo/", ffuse("ls", self.root).stdout)
        out = ffuse("ls", self.root, "demo").stdout
        lines = out.strip().splitlines()
        self.assertEqual([l.split()[3] for l in lines], ["number", "odd", "text", "train"], out)
        train = [l for l in lines if " train " in l][0]
        self.assertIn("float64[3,4]/[2,2]", train)
        self.assertIn("int32[10]/[4]", train)
        listed = json.loads(ffuse("ls", self.root, "demo", "tr*", "--json").stdout)
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["task"], "train")
        self.assertEqual(listed[0]["size"], os.path.getsize(os.path.join(self.root, "demo", "train")))
        arrays = sorted(listed[0]["arrays"], key=lambda a: a["dtype"])
        self.assertEqual(arrays[0], {"dtype": "float64", "shape": [3, 4], "chunks": [2, 2]})
        self.assertEqual(json.loads(ffuse("ls", self.root, "--json").stdout),
                         [{"workflow": "demo", "tasks": 4}])

    def test_cat_json_mapping(self):
        train = json.loads(ffuse("cat", self.root, "demo", "train").stdout)
        self.assertEqual(train["loss"], 0.25)
        self.assertEqual(train["epoch"], 3)
        self.assertEqual(train["weights"], {"$array": {"dtype": "float64", "shape": [3, 4],
                                                       "chunks": [2, 2]}})
        full = json.loads(ffuse("cat", self.root, "demo", "train", "--array").stdout)
        self.assertEqual(full["weights"]["$array"]["data"],
                         (np.arange(12) * 0.5).reshape(3, 4).tolist())
        self.assertEqual(full["mask"]["$array"]["data"], list(range(10)))
        odd = json.loads(ffuse("cat", self.root, "demo", "odd").stdout)
        self.assertEqual(odd["pair"], [1, "a"])
        self.assertEqual(odd["raw"], {"$bytes": "AAFoaQ=="})
        self.assertEqual(odd["nan"], "NaN")
        self.assertEqual(odd["inf"], "Infinity")
        self.assertIsNone(odd["none"])
        self.assertEqual(odd["set"], [1])
        self.assertEqual(json.loads(ffuse("cat", self.root, "demo", "number").stdout),
                         [[1, "one"], [2, "two"]])
        self.assertEqual(ffuse("cat", self.root, "demo", "text", "--repr").stdout, "'hello'\n")
        r = ffuse("cat", self.root, "demo", "odd", "--repr").stdout
        self.assertIn("'pair': (1, 'a')", r)
        self.assertIn("b'\\x00\\x01hi'", r)
        self.assertIn("nan", r)
        rt = ffuse("cat", self.root, "demo", "train", "--repr", "--array").stdout
        self.assertIn("array([[0.0, 0.5, 1.0, 1.5], [2.0, 2.5, 3.0, 3.5], [4.0, 4.5, 5.0, 5.5]]"
                      ", dtype=float64)", rt)

    def test_cat_region(self):
        w = (np.arange(12) * 0.5).reshape(3, 4)
        # One slice applies to the first dimension of every array in the value.
        v = json.loads(ffuse("cat", self.root, "demo", "train", "--region", "1:3").stdout)
        self.assertEqual(v["weights"]["$array"]["data"], w[1:3].tolist())
        self.assertEqual(v["weights"]["$array"]["shape"], [2, 4])
        self.assertEqual(v["mask"]["$array"]["data"], [1, 2])
        v = json.loads(ffuse("cat", self.root, "demo", "train", "--region", "-1").stdout)
        self.assertEqual(v["weights"]["$array"]["data"], w[-1:].tolist())
        self.assertEqual(v["mask"]["$array"]["data"], [9])
        # Usage errors (exit 2): not slice notation, or not fitting an array.
        for bad in ["1:2:3", "a", "1,,2", "", "2:2", "5:-12"]:
            p = ffuse("cat", self.root, "demo", "train", "--region", bad, expect=2)
            self.assertIn("--region", p.stderr)
        p = ffuse("cat", self.root, "demo", "train", "--region", "0:2,1:3", expect=2)
        self.assertIn("[10]", p.stderr)  # the 1-d mask cannot take a 2-d region
        p = ffuse("cat", self.root, "demo", "train", "--region", "3", expect=2)
        self.assertIn("out of range", p.stderr)

    def test_cat_missing_names_task_and_workflow(self):
        p = ffuse("cat", self.root, "demo", "nope", expect=1)
        self.assertIn("'nope'", p.stderr)
        self.assertIn("'demo'", p.stderr)

    def test_du(self):
        du = json.loads(ffuse("du", self.root, "--json").stdout)
        [demo] = du["workflows"]
        self.assertEqual(demo["tasks"], 4)
        self.assertEqual(demo["objects"], 2)
        big = sum(os.path.getsize(p) for p in glob.glob(os.path.join(self.root, "demo", "bigdata", "*")))
        self.assertEqual(demo["object_bytes"], big)
        self.assertIn("demo/", ffuse("du", self.root).stdout)

    def test_rm(self):
        self.assertEqual(ffuse("rm", self.root, "demo", "text").stdout, "removed: demo/text\n")
        self.assertNotIn(" text", ffuse("ls", self.root, "demo", "--no-summary").stdout)
        p = ffuse("rm", self.root, "demo", "text", expect=1)
        self.assertIn("'text'", p.stderr)
        ffuse("rm", self.root, "demo", "text", "-f")
        ffuse("rm", self.root, "demo", "--pattern", "n*")
        ffuse("rm", self.root, "demo", "train")
        self.assertEqual(os.listdir(os.path.join(self.root, "demo", "bigdata")), [],
                         "rm removes the task's arrays")
        ffuse("rm", self.root, "demo", "--all")
        self.assertFalse(os.path.exists(os.path.join(self.root, "demo")))

    def test_gc_reports_then_deletes_and_spares_live_data(self):
        big = os.path.join(self.root, "demo", "bigdata")
        live = sorted(os.listdir(big))
        orphan = os.path.join(big, str(uuid.uuid4()))
        shutil.copy(os.path.join(big, live[0]), orphan)
        tmp = os.path.join(self.root, "demo", ".tmp-00000000000000ab")
        with open(tmp, "w") as f:
            f.write("killed writer")
        for p in [orphan, tmp] + [os.path.join(big, n) for n in live]:
            age(p)
        report = ffuse("gc", self.root).stdout
        self.assertIn("orphan", report)
        self.assertIn(orphan, report)
        self.assertIn(tmp, report)
        self.assertIn("2 found", report)
        self.assertTrue(os.path.exists(orphan))
        self.assertIn("0 found", ffuse("gc", self.root, "--grace", "3h").stdout)
        js = json.loads(ffuse("gc", self.root, "--json").stdout)
        self.assertEqual(sorted(f["kind"] for f in js["findings"]), ["orphan", "temporary"])
        self.assertIn("2 deleted", ffuse("gc", self.root, "--delete").stdout)
        self.assertFalse(os.path.exists(orphan))
        self.assertFalse(os.path.exists(tmp))
        self.assertEqual(sorted(os.listdir(big)), live)
        ffuse("cat", self.root, "demo", "train", "--array")

    def test_python_original_store(self):
        root = tempfile.mkdtemp(dir=WORK)
        python_original_store(root)
        out = ffuse("ls", root, "wf").stdout
        self.assertIn("train", out)
        self.assertIn("float64[4,5]/[2,3]", out)
        v = json.loads(ffuse("cat", root, "wf", "train", "--array").stdout)
        self.assertEqual(v["loss"], 0.25)
        self.assertEqual(v["weights"]["$array"]["data"], np.arange(20.0).reshape(4, 5).tolist())
        v = json.loads(ffuse("cat", root, "wf", "train", "--region", "1:3,-2:").stdout)
        self.assertEqual(v["weights"]["$array"]["data"],
                         np.arange(20.0).reshape(4, 5)[1:3, -2:].tolist())
        self.assertIn("0 found", ffuse("gc", root, "--grace", "0").stdout)

    def test_numpy_big_int_and_python_objects(self):
        """Inline numpy arrays and scalars, ints beyond 64 bits and datetime/complex/Decimal are
        rendered (not "?"), in ls summaries, JSON, repr, and cp's content checksum."""
        import datetime
        import decimal
        root = tempfile.mkdtemp(dir=WORK)
        os.makedirs(os.path.join(root, "wf"))
        values = {
            "obj": {"grid": np.arange(6, dtype="<f8").reshape(2, 3), "count": np.int64(-7),
                    "big": 2 ** 70, "neg": -(2 ** 65), "when": datetime.date(2024, 3, 1),
                    "z": 1.5 - 2j, "price": decimal.Decimal("1.10")},
            "grid": np.arange(6, dtype=">i4").reshape(3, 2),
            "big": 2 ** 70,
            "when": datetime.datetime(2024, 3, 1, 12, 30, 5),
        }
        for task, v in values.items():
            data = pickle.dumps(v, protocol=4)
            with open(os.path.join(root, "wf", task), "wb") as f:
                f.write(data + hashlib.sha1(data).digest())
        out = ffuse("ls", root, "wf").stdout
        self.assertNotIn("?", out)
        self.assertIn("int32[3,2]", out)                    # the inline array, like arrays
        self.assertIn("int " + str(2 ** 70), out)           # a big int's decimal text
        self.assertIn("datetime.datetime", out)
        self.assertIn("grid: float64[2,3]", out)
        v = json.loads(ffuse("cat", root, "wf", "obj").stdout)
        self.assertEqual(v["grid"], {"$ndarray": {"dtype": "float64", "shape": [2, 3]}})
        self.assertEqual(v["count"], -7)
        self.assertEqual(v["big"], {"$int": str(2 ** 70)})
        self.assertEqual(v["neg"], {"$int": str(-(2 ** 65))})
        self.assertEqual(v["when"], {"$object": "datetime.date(2024, 3, 1)"})
        self.assertEqual(v["z"], {"$object": "(1.5-2j)"})
        self.assertEqual(v["price"], {"$object": "Decimal('1.10')"})
        r = ffuse("cat", root, "wf", "obj", "--repr").stdout
        self.assertIn(str(2 ** 70), r)
        self.assertIn("datetime.date(2024, 3, 1)", r)
        self.assertIn("Decimal('1.10')", r)
        self.assertIn("array(dtype=float64, shape=(2, 3))", r)
        # cp verifies every copied task by a checksum of its content: these kinds now feed it.
        dst = tempfile.mkdtemp(dir=WORK)
        self.assertIn("verified", ffuse("cp", root, dst, "wf").stdout)
        for task, v in values.items():
            self.assertEqual(json.loads(ffuse("cat", dst, "wf", task).stdout),
                             json.loads(ffuse("cat", root, "wf", task).stdout))


@unittest.skipUnless(MODE == "s3", "an S3 server")
class S3Stores(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.environ["FF_S3_ENDPOINT_FILE"]) as f:
            env = dict(line.strip().split("=", 1) for line in f if "=" in line)
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID=env["FF_S3_KEY"],
                       AWS_SECRET_ACCESS_KEY=env["FF_S3_SECRET"], AWS_REGION="us-east-1")
        for k in ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"]:
            cls.env.pop(k, None)
        cls.endpoint = "%s://%s:%s" % (env["FF_S3_SCHEME"], env["FF_S3_HOST"], env["FF_S3_PORT"])
        cls.flags = ["--endpoint", cls.endpoint]
        if env.get("FF_S3_CA_FILE"):
            cls.flags += ["--ca-file", env["FF_S3_CA_FILE"]]
        cls.bucket = env["FF_S3_BUCKET"]
        cls.run_id = uuid.uuid4().hex[:12]
        cls.secret = env["FF_S3_SECRET"]

    def url(self, name):
        return "s3://%s/cli-%s-%s" % (self.bucket, self.run_id, name)

    def config(self, name):
        opts = {"path": self.url(name)[5:], "endpoint": self.endpoint}
        ca = [f for i, f in enumerate(self.flags) if i and self.flags[i - 1] == "--ca-file"]
        if ca:
            opts["tls"] = {"ca_file": ca[0]}
        return json.dumps({"kind": "S3", "options": opts})

    def ff(self, *args, expect=0):
        return ffuse(*self.flags, *args, expect=expect, env=self.env)

    def test_ls_cat_du_rm_gc(self):
        # The library reads the key pair from the environment, as ffuse does.
        subprocess.run([WRITE_STORE, self.config("sample"), "sample"], check=True, env=self.env)
        store = self.url("sample")
        self.assertIn("demo/", self.ff("ls", store).stdout)
        out = self.ff("ls", store, "demo").stdout
        self.assertIn("float64[3,4]/[2,2]", out)
        train = json.loads(self.ff("cat", store, "demo", "train", "--array").stdout)
        self.assertEqual(train["weights"]["$array"]["data"],
                         (np.arange(12) * 0.5).reshape(3, 4).tolist())
        du = json.loads(self.ff("du", store, "--json").stdout)
        self.assertEqual(du["workflows"][0]["objects"], 2)
        self.assertGreater(du["workflows"][0]["object_bytes"], 0)
        # @config.json names the same store.
        cfg = os.path.join(WORK, "store-%s.json" % self.run_id)
        with open(cfg, "w") as f:
            f.write(self.config("sample"))
        self.assertIn("train", ffuse("ls", "@" + cfg, "demo", env=self.env).stdout)
        gc = self.ff("gc", store, "--grace", "0")
        self.assertIn("0 found", gc.stdout)
        self.ff("rm", store, "demo", "train")
        self.assertNotIn("train", self.ff("ls", store, "demo", "--no-summary").stdout)
        p = self.ff("cat", store, "demo", "train", expect=1)
        self.assertIn("train", p.stderr)
        self.assertNotIn(self.secret + "x", p.stderr)

    def test_cat_region_fetches_only_its_chunks(self):
        import boto3
        import botocore.config
        subprocess.run([WRITE_STORE, self.config("region"), "sample"], check=True, env=self.env)
        store = self.url("region")
        # The S3 store options come after the command as well as before it.
        flags_after = ["--s3-region", "us-east-1"] + self.flags
        w = (np.arange(12) * 0.5).reshape(3, 4)
        ca = [f for i, f in enumerate(self.flags) if i and self.flags[i - 1] == "--ca-file"]
        s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                          aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
                          verify=ca[0] if ca else False,
                          config=botocore.config.Config(s3={"addressing_style": "path"}))
        prefix = self.url("region")[5 + len(self.bucket) + 1:] + "/demo/bigdata/dask_arrays/"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)["Contents"]]
        [weights] = [k[:-len(".zarray")] for k in keys if k.endswith("/.zarray") and
                     json.loads(s3.get_object(Bucket=self.bucket, Key=k)["Body"].read())["shape"] == [3, 4]]
        # Row 2 lives in chunks 1.0 and 1.1: spoil chunks 0.0 and 0.1 behind the store's back
        # (a missing chunk would read as the fill value; a spoiled one cannot be decoded).
        for chunk in ["0.0", "0.1"]:
            s3.put_object(Bucket=self.bucket, Key=weights + chunk, Body=b"not a chunk")
        out = ffuse("cat", store, "demo", "train", "--region", "2:3", *flags_after, env=self.env)
        v = json.loads(out.stdout)
        self.assertEqual(v["weights"]["$array"]["data"], w[2:3].tolist())
        self.assertEqual(v["mask"]["$array"]["data"], [2])
        # The whole array needs the spoiled chunks.
        self.ff("cat", store, "demo", "train", "--array", expect=1)

    def test_wrong_secret_is_an_error_without_the_secret(self):
        env = dict(self.env, AWS_SECRET_ACCESS_KEY="not-the-secret-1234")
        p = ffuse(*self.flags, "ls", self.url("none"), expect=1, env=env)
        self.assertNotIn("not-the-secret-1234", p.stderr + p.stdout)

    def test_cp_thousand_results_and_two_arrays_file_to_s3_and_back(self):
        src = tempfile.mkdtemp(dir=WORK)
        write_store(file_config(src), "many")
        s3 = self.url("many")
        out = self.ff("cp", src, s3).stdout
        self.assertIn("1002 task(s), 2 array(s)", out)
        self.assertIn("verified: 1002 task(s)", out)
        back = os.path.join(WORK, "back-" + self.run_id)
        out = self.ff("cp", s3, back, "many").stdout
        self.assertIn("verified: 1002 task(s)", out)
        # Value by value and array by array, read the way the Python original reads.
        names = sorted(os.listdir(os.path.join(src, "many")))
        self.assertEqual(sorted(os.listdir(os.path.join(back, "many"))), names)
        for name in names:
            if name == "bigdata":
                continue
            a, b = load_python(src, "many", name), load_python(back, "many", name)
            if name == "arr_a":
                np.testing.assert_array_equal(a["w"], b["w"])
            elif name == "arr_b":
                np.testing.assert_array_equal(a[0], b[0])
                self.assertEqual(a[1], b[1])
            else:
                self.assertEqual(a, b)
        self.assertEqual(len(os.listdir(os.path.join(back, "many", "bigdata"))), 2)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
