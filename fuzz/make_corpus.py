#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora under fuzz/corpus/<target>/ (run once; the files are
committed). Needs CPython 3 and zarr 2 (Debian: python3-zarr):

    /usr/bin/python3 fuzz/make_corpus.py

Pickles are CPython's own, protocols 0-5, of a varied set of values; .zarray/.zgroup files
are zarr-python's own; the other seeds are small hand-written documents of each format.
"""
import json
import os
import pickle
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def pickle_values():
    shared = [1, 2, "x"]
    shared_dict = {"k": b"v"}
    return {
        "none": None,
        "bools": [True, False],
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -129, 2**31 - 1, -2**31, 2**63 - 1, -2**63],
        "big_int": 2**64 + 3,  # beyond 64 bits: a big_int (text LONG in protocols 0-1)
        "floats": [0.0, -0.0, 1.5, 1e308, 5e-324, float("inf"), float("-inf"), float("nan")],
        "str": ["", "a", "hello world", "é ü ß", "日本語", "\U0001F600", "x" * 300],
        "bytes": [b"", b"\x00\xff", bytes(range(256)), b"y" * 300],
        "list": [1, "two", 3.0, None],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "dict": {"a": 1, "b": [1, 2], "c": {"d": None}, "": b"e"},
        "int_keys": {1: "one", -2: "minus two"},
        "set": {1, 2, 3},
        "frozenset": frozenset({"a", "b"}),
        "nested": [[[[[1]]]], {"x": ({"y": [2]},)}],
        "shared_refs": [shared, shared, {"again": shared}],
        "shared_dict": (shared_dict, shared_dict),
        "repeated_str": ["same"] * 5,
        "long_list": list(range(1100)),
        "big_dict": {str(i): i for i in range(1001)},
        "bytearray": bytearray(b"abc"),
        "mixed": {"name": "run", "sizes": (3, 4), "ok": True, "scores": [0.5, 0.25]},
        "stdlib": stdlib_values(),
    }


def stdlib_values():
    """The standard-library objects the reader recognizes (datetime, OrderedDict, complex,
    Decimal)."""
    import collections
    import datetime as dt
    import decimal

    utc = dt.timezone.utc
    return [dt.datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=utc),
            dt.datetime(2024, 11, 3, 1, 30, fold=1), dt.date(2024, 2, 29),
            dt.time(1, 2, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=-5), "EST")),
            dt.timedelta(days=-3, seconds=5, microseconds=7),
            collections.OrderedDict([(1, 2), ("a", [3])]), 1.5 - 2j,
            decimal.Decimal("-1.10E+5")]


def make_pickles():
    for name, v in pickle_values().items():
        for protocol in range(0, 6):
            write("pickle", f"p{protocol}_{name}.pkl", pickle.dumps(v, protocol=protocol))


def make_zarr():
    import numpy as np
    import zarr

    tmp = tempfile.mkdtemp()
    try:
        root = zarr.open_group(os.path.join(tmp, "g"), mode="w")
        root.create_dataset("f8", shape=(10, 20), chunks=(5, 7), dtype="<f8", fill_value=0.0)
        root.create_dataset("i4_be", shape=(100,), chunks=(30,), dtype=">i4", fill_value=-1)
        root.create_dataset("u1_nocomp", shape=(3, 4, 5), chunks=(3, 4, 5), dtype="u1",
                            compressor=None, fill_value=None)
        root.create_dataset("b1", shape=(7,), chunks=(2,), dtype="bool", fill_value=True)
        root.create_dataset("f4_nan", shape=(4, 4), chunks=(2, 2), dtype="<f4",
                            fill_value=np.nan)
        root.create_dataset("f8_inf", shape=(5,), chunks=(5,), dtype="<f8",
                            fill_value=float("-inf"), dimension_separator="/")
        root.create_dataset("scalar", shape=(), chunks=(), dtype="<i8", fill_value=42)
        from numcodecs import Zlib, Zstd
        root.create_dataset("zlib", shape=(8,), chunks=(4,), dtype="<u2", compressor=Zlib(3))
        root.create_dataset("zstd", shape=(8,), chunks=(4,), dtype="<i2", compressor=Zstd(1))
        write("zarr_metadata", "root.zgroup", open(os.path.join(tmp, "g", ".zgroup")).read())
        for name in root.array_keys():
            with open(os.path.join(tmp, "g", name, ".zarray"), "rb") as f:
                write("zarr_metadata", f"{name}.zarray", f.read())
    finally:
        shutil.rmtree(tmp)


S3_XML = {
    "list_page.xml": """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name>
<Prefix>prefix/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>
<IsTruncated>true</IsTruncated><NextContinuationToken>tok+en/=</NextContinuationToken>
<EncodingType>url</EncodingType>
<Contents><Key>prefix/a%20b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
<ETag>&quot;abc&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>prefix/%E6%97%A5</Key><Size>0</Size><ETag>"d41d8"</ETag></Contents>
<CommonPrefixes><Prefix>prefix/sub%2F/</Prefix></CommonPrefixes></ListBucketResult>""",
    "list_last.xml": """<ListBucketResult><IsTruncated>false</IsTruncated>
<Contents><Key>k</Key><Size>18446744073709551615</Size></Contents></ListBucketResult>""",
    "error.xml": """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
<Key>a/b</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>""",
    "error_empty_message.xml": "<Error><Code>SlowDown</Code><Message></Message></Error>",
    "error_signature.xml": """<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>
<AWSAccessKeyId>AKIA</AWSAccessKeyId><StringToSign>AWS4</StringToSign>
<CanonicalRequest>GET /</CanonicalRequest></Error>""",
    "initiate.xml": """<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>
<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>""",
    "complete.xml": """<CompleteMultipartUploadResult><Location>http://b/k</Location>
<Bucket>b</Bucket><Key>k</Key><ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>""",
    "delete_result.xml": """<DeleteResult><Deleted><Key>a</Key></Deleted>
<Error><Key>b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
</DeleteResult>""",
    "entities.xml": "<Error><Code>&lt;&amp;&#65;&#x42;</Code><![CDATA[<x>]]><!-- c --></Error>",
}

CONFIGS = {
    "file.json": {"path": "/tmp/store", "fsync": False},
    "s3_s3fs.json": {"path": "bucket/prefix", "s3fs": {
        "key": "AKIDEXAMPLE", "secret": "secret", "token": "tok", "anon": False,
        "endpoint_url": "http://127.0.0.1:4568",
        "client_kwargs": {"region_name": "eu-west-1", "endpoint_url": "https://s3.example"}}},
    "s3_anon.json": {"path": "bucket", "s3fs": {"anon": True}},
    "s3_native.json": {"path": "bucket/a/b", "region": "us-east-1", "anonymous": False,
                       "endpoint": "https://127.0.0.1:9000", "addressing": "path",
                       "resolve": {"bucket.s3.local": "127.0.0.1"}, "max_connections": 8,
                       "timeout_ms": 1000, "idle_timeout_ms": 500, "unsigned_payload": True,
                       "retry": {"max_attempts": 3, "base_delay_ms": 10, "max_delay_ms": 100},
                       "tls": {"ca_file": "/etc/ca.pem", "verify": True},
                       "multipart": {"threshold": 8388608, "part_size": 5242880},
                       "s3fs": {"key": "K", "secret": "S"}},
    "s3_profile.json": {"path": "bucket", "s3fs": {"profile": "dev"}},
}

INIS = {
    "credentials": """[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalr#XUtnFEMI/K7MDENG
aws_session_token=tok

# comment
; other comment
[dev]
aws_access_key_id=A
aws_secret_access_key=B
""",
    "config": """[default]
region = eu-central-1
[profile dev]
region=us-west-2
endpoint_url = http://127.0.0.1:4568
s3 =
    endpoint_url = http://127.0.0.1:9000
    addressing_style = path
""",
    "bad_line": "[default]\nthis is not a pair\n",
}

GLOBS = {
    "star": "*.pkl\0result.pkl",
    "question": "task-??\0task-01",
    "class": "[a-c]x[!0-9]\0bxz",
    "class_bracket": "[]!]*\0]abc",
    "utf8": "日*\0日本語",
    "literal": "wf/task\0wf/task",
    "many_stars": "*a*a*a*a*b\0aaaaaaaaaaaaaaaaaaaaaaaa",
    "unclosed": "[abc\0[abc",
}

HTTP = {
    "ok_length": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"e\"\r\n\r\nhello",
    "ok_chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
    "error_xml": "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\n"
                 "x-amz-request-id: R1\r\nContent-Length: 64\r\n\r\n"
                 "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>    ",
    "slowdown_close": "HTTP/1.1 503 Slow Down\r\nConnection: close\r\n\r\n"
                      "<Error><Code>SlowDown</Code></Error>",
    "head": "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nLast-Modified: "
            "Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n",
    "http10": "HTTP/1.0 500 Internal\r\n\r\n",
    "no_content": "HTTP/1.1 204 No Content\r\n\r\n",
}


def make_pickle_dict():
    """Every opcode of pickletools, plus the globals the reader allows or must refuse."""
    import pickletools

    def quote(data):
        return '"' + "".join(f"\\x{b:02x}" for b in data) + '"'

    lines = ["# Pickle opcodes (from CPython's pickletools) and globals; made by make_corpus.py"]
    for op in pickletools.opcodes:
        lines.append(f"op_{op.name}={quote(op.code.encode('latin-1'))}")
    for i, text in enumerate([b"c__builtin__\nset\n", b"cbuiltins\nbytes\n",
                              b"c_codecs\nencode\n", b"cos\nsystem\n",
                              b"\x8c\x08builtins\x94\x8c\tfrozenset\x94\x93",
                              b"\x80\x05\x95", b"latin1", b"cdatetime\ndatetime\n",
                              b"cdatetime\ntimezone\n", b"cdatetime\ntimedelta\n",
                              b"ccollections\nOrderedDict\n", b"cdecimal\nDecimal\n",
                              b"cbuiltins\ncomplex\n"]):
        lines.append(f"global_{i}={quote(text)}")
    os.makedirs(os.path.join(HERE, "dict"), exist_ok=True)
    with open(os.path.join(HERE, "dict", "pickle.dict"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    make_pickle_dict()
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    make_pickles()
    make_zarr()
    for name, text in S3_XML.items():
        write("s3_xml", name, text)
    for name, obj in CONFIGS.items():
        write("storage_config", name, json.dumps(obj, indent=1))
    for name, text in INIS.items():
        write("aws_ini", name, text)
    for name, text in GLOBS.items():
        write("glob", name, text)
    for name, text in HTTP.items():
        write("http_response", name, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
