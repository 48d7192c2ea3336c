// The zarr array store on S3_PROTOCOL against s3rver, checked by zarr-python: every array we
// write opens in zarr with the same values, dtype, shape and chunks; arrays zarr-python wrote
// (default blosc, zstd, zlib; a missing chunk) read back through a Python-made task pickle.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <xtensor/xview.hpp>

#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "pickle/pickle.hpp"
#include "temp_dir.hpp"
#include "zarr_s3_test_support.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

/// The value of element `i` for `type`; the Python side computes the same (see `formula_py`).
template <class T>
T element(std::size_t i) {
    if constexpr (std::is_same_v<T, bool>)
        return i % 3 == 0;
    else if constexpr (std::is_floating_point_v<T>)
        return static_cast<T>(static_cast<double>(i) * 0.25 - 3.0);
    else if constexpr (std::is_signed_v<T>)
        return static_cast<T>(static_cast<std::int64_t>(i % 97) * 3 - 50);
    else
        return static_cast<T>(i % 251);
}
// numpy: the same formulas on np.arange(n).
const char* formula_py = R"PY(
import numpy as np
def expected(dtype, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n)
    dt = np.dtype(dtype)
    if dt.kind == "b": v = (i % 3) == 0
    elif dt.kind == "f": v = (i.astype(np.float64) * 0.25 - 3.0).astype(dt)
    elif dt.kind == "i": v = ((i % 97) * 3 - 50).astype(dt)
    else: v = (i % 251).astype(dt)
    return v.reshape(shape)
)PY";

template <class T>
ff::chunked_array make_array(std::vector<std::size_t> shape, std::vector<std::size_t> chunks) {
    std::size_t n = 1;
    for (auto s : shape)
        n *= s;
    auto a = ff::chunked_array::zeros(ff::dtype_of<T>(), shape, chunks);
    auto* p = reinterpret_cast<T*>(a.mutable_data());
    for (std::size_t i = 0; i < n; ++i)
        p[i] = element<T>(i);
    return a;
}

std::string py_tuple(const std::vector<std::size_t>& v) {
    std::string s = "(";
    for (auto x : v)
        s += std::to_string(x) + ",";
    return s + ")";
}

struct case_spec {
    std::string name;
    ff::chunked_array array;
    ff::zarr_compressor compressor;
};

std::vector<case_spec> cases() {
    ff::zarr_compressor blosc;  // default
    ff::zarr_compressor zstd{"zstd", 3, "", 0};
    ff::zarr_compressor zlib{"zlib", 6, "", 0};
    ff::zarr_compressor none{"", 0, "", 0};
    ff::zarr_compressor bitshuffle{"blosc", 7, "zstd", 2};
    return {
        {"f8_3d_edges", make_array<double>({7, 5, 3}, {3, 2, 2}), blosc},
        {"i4_2d_zstd", make_array<std::int32_t>({10, 9}, {4, 4}), zstd},
        {"b1_1d_zlib", make_array<bool>({13}, {5}), zlib},
        {"u1_2d_none", make_array<std::uint8_t>({6, 6}, {6, 4}), none},
        // Uncompressed whole-row blocks go up straight from the array's memory; the last
        // (edge) block is padded as usual.
        {"f8_2d_rows_none", make_array<double>({7, 5}, {2, 5}), none},
        {"i2_1d_none", make_array<std::int16_t>({100}, {32}), none},
        {"f4_2d_bitshuffle", make_array<float>({33, 17}, {8, 8}), bitshuffle},
        {"i8_0d", make_array<std::int64_t>({}, {}), blosc},
        {"u2_empty", make_array<std::uint16_t>({0, 4}, {1, 2}), blosc},
    };
}

class ZarrS3Interop : public ff_test::zarr_s3_fixture {};

}  // namespace

// Every array we write opens in zarr-python: values, dtype, shape, chunks, the .zarray fields,
// padded edge chunks, and the .zgroup around them. Then we read each back (eager and region).
TEST_F(ZarrS3Interop, ZarrPythonOpensEveryArrayWeWrite) {
    auto specs = cases();
    std::string listing = "[";
    std::vector<ff::value> payloads;
    for (auto& c : specs) {
        ff::array_options opts;
        opts.zarr = c.compressor;
        ff::array_serializer ser(opts);
        auto payload = run(ser.pickle(protos, "wf", ff::extension::make(c.array)));
        payloads.push_back(payload);
        const auto& t = payload.get<ff::tuple>();
        const std::string uuid = t[1].get<std::string>();
        listing += "(\"" + uuid + "\", \"" + std::string(ff::dtype_typestr(c.array.type())) +
                   "\", " + py_tuple(c.array.shape()) + ", " + py_tuple(c.array.chunks()) + ", \"" +
                   (c.compressor.id.empty() ? "None" : c.compressor.id) + "\"),";

        // .zarray is the array's last object.
        const auto zarray_key = root + "/wf/bigdata/dask_arrays/" + uuid + "/.zarray";
        ASSERT_EQ(proto->last_put_under(root + "/wf/bigdata/dask_arrays/" + uuid + "/"),
                  zarray_key);
        // Eager read back.
        auto back = run(ser.unpickle(protos, "wf", payload));
        EXPECT_EQ(*back.get<ff::extension>().get_if<ff::chunked_array>(), c.array) << c.name;
    }
    listing += "]";

    ff_test::temp_dir dir;
    auto r = python(std::string(formula_py) + R"PY(
import json, zarr, numcodecs
dest, prefix, cases = sys.argv[1], sys.argv[2], eval(sys.argv[3])
n = download(prefix, dest)
g = zarr.open_group(dest, mode="r")
assert json.load(open(os.path.join(dest, ".zgroup"))) == {"zarr_format": 2}
for uuid, dtype, shape, chunks, comp in cases:
    a = zarr.open_array(os.path.join(dest, uuid), mode="r")
    assert a.dtype == np.dtype(dtype), (uuid, a.dtype, dtype)
    assert a.shape == shape, (uuid, a.shape, shape)
    assert a.chunks == chunks, (uuid, a.chunks, chunks)
    assert a.order == "C" and a.filters is None
    meta = json.load(open(os.path.join(dest, uuid, ".zarray")))
    assert meta["zarr_format"] == 2 and meta["dtype"] == dtype and meta["dimension_separator"] == "."
    assert (meta["compressor"] or {"id": "None"})["id"] == comp, meta["compressor"]
    exp = expected(dtype, shape)
    got = a[...]
    assert np.array_equal(got, exp), (uuid, got, exp)
    assert (g[uuid][...] == exp).all()
    # every chunk object exists and decodes to a full (padded) chunk
    files = sorted(f for f in os.listdir(os.path.join(dest, uuid)) if not f.startswith("."))
    assert len(files) == a.nchunks, (uuid, files, a.nchunks)
    if files:
        raw = open(os.path.join(dest, uuid, files[-1]), "rb").read()
        dec = a.compressor.decode(raw) if a.compressor else raw
        assert len(bytes(dec)) == int(np.prod(chunks)) * a.dtype.itemsize, (uuid, len(dec))
print("OK", n)
)PY",
                    dir.path().string() + " " + root + "/wf/bigdata/dask_arrays '" + listing + "'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;

    // Region reads fetch only what they need and give the same values.
    ff::array_serializer ser;
    auto lazy = run(ser.open(protos, "wf", payloads[0]));
    const auto gets_before = proto->gets.load();
    auto part = run(lazy.read(ff::array_region{{2, 1, 0}, {3, 2, 3}}));
    // rows 2-4 -> chunks 0-1, columns 1-2 -> chunks 0-1, depth 0-2 -> chunks 0-1: 8 of 18.
    EXPECT_EQ(proto->gets.load() - gets_before, 2u * 2 * 2);
    auto whole = specs[0].array.to_xarray<double>();
    auto expect = xt::xarray<double>(xt::view(whole, xt::range(2, 5), xt::range(1, 3), xt::all()));
    EXPECT_EQ(part.to_xarray<double>(), expect);
}

// Arrays zarr-python wrote (defaults = blosc lz4, zstd, zlib; NaN fill and a missing chunk),
// uploaded with boto3 next to a task pickle made by Python's pickle with the original's
// persistent id, read back through that pickle.
TEST_F(ZarrS3Interop, WeReadArraysZarrPythonWrote) {
    ff_test::temp_dir dir;
    auto r = python(std::string(formula_py) + R"PY(
import pickle, uuid, zarr, numcodecs
src, root = sys.argv[1], sys.argv[2]
class Ref:
    def __init__(self, name): self.name = name
class P(pickle.Pickler):
    def persistent_id(self, obj):
        return ("HDFSerializer", ("0.0.0", obj.name)) if isinstance(obj, Ref) else None
group = zarr.open_group(os.path.join(src, "dask_arrays"), mode="w")
specs = [("default", "<f8", (9, 7), (4, 3), {}),
         ("zstd", "<i4", (5, 6, 7), (2, 3, 4), {"compressor": numcodecs.Zstd(level=3)}),
         ("zlib", "|u1", (100,), (30,), {"compressor": numcodecs.Zlib(level=5)}),
         ("nanfill", "<f4", (6, 6), (4, 4), {"fill_value": np.nan}),
         ("bigendian", ">f8", (5, 5), (2, 2), {})]
refs = {}
for name, dtype, shape, chunks, kw in specs:
    u = str(uuid.uuid4())
    a = group.create_dataset(u, shape=shape, chunks=chunks, dtype=dtype, **kw)
    a[...] = expected(dtype, shape)
    if name == "nanfill":
        os.remove(os.path.join(src, "dask_arrays", u, "1.0"))  # a chunk that is missing
    refs[name] = Ref(u)
upload(os.path.join(src, "dask_arrays"), root + "/wf/bigdata/dask_arrays")
for name, ref in refs.items():
    import io
    buf = io.BytesIO()
    P(buf, protocol=4).dump({"result": ref, "name": name})
    s3.put_object(Bucket=bucket, Key=root + "/wf/" + name, Body=buf.getvalue())
print("OK")
)PY",
                    dir.path().string() + " " + root);
    ASSERT_EQ(r.exit_code, 0) << r.output;

    ff::array_serializer ser;
    auto read = [&](const std::string& task) {
        auto bytes = run(client->get_object(endpoint.bucket, root + "/wf/" + task));
        ff::value payload;
        ff::pickle::loads(bytes, [&](ff::value pid) {
            const auto& t = pid.get<ff::tuple>();
            EXPECT_EQ(t.at(0).get<std::string>(), "HDFSerializer");
            payload = t.at(1);
            return ff::value();
        });
        return *run(ser.unpickle(protos, "wf", payload))
                    .get<ff::extension>()
                    .get_if<ff::chunked_array>();
    };
    auto check = [&]<class T>(const std::string& task, std::vector<std::size_t> shape,
                              std::vector<std::size_t> chunks) {
        auto a = read(task);
        EXPECT_EQ(a.type(), ff::dtype_of<T>()) << task;
        EXPECT_EQ(a.shape(), shape) << task;
        EXPECT_EQ(a.chunks(), chunks) << task;
        auto expect = make_array<T>(shape, chunks);
        EXPECT_EQ(a, expect) << task;
    };
    check.operator()<double>("default", {9, 7}, {4, 3});
    check.operator()<std::int32_t>("zstd", {5, 6, 7}, {2, 3, 4});
    check.operator()<std::uint8_t>("zlib", {100}, {30});
    check.operator()<double>("bigendian", {5, 5}, {2, 2});

    // NaN fill: chunk (1, 0) is missing, so rows 4-5, columns 0-3 read as NaN.
    auto a = read("nanfill").to_xarray<float>();
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < 6; ++j) {
            if (i >= 4 && j < 4)
                EXPECT_TRUE(std::isnan(a(i, j))) << i << "," << j;
            else
                EXPECT_EQ(a(i, j), element<float>(i * 6 + j)) << i << "," << j;
        }
}
