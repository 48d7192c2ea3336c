// array_serializer on FILE_PROTOCOL, driven directly (a file_protocol over a thread pool):
// h5py reads every array we write; we read what h5py writes; lazy region reads; removal;
// many saves in flight; the sync-path shape (blocking executor = the calling thread).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "array_test_util.hpp"
#include "file_protocols.hpp"
#include "python.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;
using ff_test::run_awaitable;

namespace {

struct write_case {
    ff::dtype type;
    ff::chunked_array::shape_type shape, chunks;
    ff::array_options opts;
};

std::vector<write_case> write_cases() {
    std::vector<ff::array_options> option_sets(4);
    option_sets[1].gzip_level = 4;
    option_sets[2].gzip_level = 1;
    option_sets[2].shuffle = true;
    option_sets[3].shuffle = true;
    std::vector<write_case> cases;
    for (auto t : ff_test::all_dtypes()) {
        for (std::size_t o = 0; o < option_sets.size(); ++o) {
            const auto& opts = option_sets[o];
            cases.push_back({t, {1000}, {128}, opts});         // 1-d, partial last chunk
            cases.push_back({t, {5, 7}, {2, 3}, opts});        // gathered chunks, partial edges
            cases.push_back({t, {6, 4, 3}, {2, 4, 3}, opts});  // row slabs, written in place
            if (o == 0) {
                cases.push_back({t, {}, {}, opts});          // 0-d
                cases.push_back({t, {0, 5}, {1, 5}, opts});  // zero-sized
            }
        }
    }
    ff::chunked_array::shape_type deep(32, 1), deep_chunks(32, 1);
    deep[0] = 3;
    deep[31] = 4;
    deep_chunks[31] = 2;
    cases.push_back({ff::dtype::float64, deep, deep_chunks, {}});
    return cases;
}

std::string py_opt(const std::optional<int>& o) {
    return o ? std::to_string(*o) : "None";
}

/// Python checking that each listed HDF5 file holds exactly the raw bytes next to it, with the
/// dtype, shape, chunk shape and filters listed.
const char* verify_script = R"PY(
import ast, sys, h5py, numpy as np
bad = 0
for line in open(sys.argv[1]):
    h5, raw, typestr, shape, chunks, gzip, shuffle = line.rstrip("\n").split(";")
    shape, chunks, gzip = ast.literal_eval(shape), ast.literal_eval(chunks), ast.literal_eval(gzip)
    with h5py.File(h5, "r") as f:
        if list(f.keys()) != ["dask_arrays"]:
            print("keys", h5, list(f.keys())); bad += 1; continue
        d = f["dask_arrays"]
        want = np.fromfile(raw, dtype=np.dtype(typestr)).reshape(shape)
        got = d[()]
        problems = []
        if d.dtype != np.dtype(typestr): problems.append(("dtype", d.dtype, typestr))
        if d.shape != shape: problems.append(("shape", d.shape, shape))
        if d.chunks != chunks: problems.append(("chunks", d.chunks, chunks))
        if d.compression != ("gzip" if gzip is not None else None): problems.append(("compression", d.compression))
        if gzip is not None and d.compression_opts != gzip: problems.append(("level", d.compression_opts))
        if d.shuffle != (shuffle == "1"): problems.append(("shuffle", d.shuffle))
        if not np.array_equal(np.asarray(got), want): problems.append("values differ")
        if problems:
            print(h5, problems); bad += 1
print("checked", sum(1 for _ in open(sys.argv[1])), "bad", bad)
sys.exit(1 if bad else 0)
)PY";

}  // namespace

TEST(ArraySerializerFile, H5pyReadsEveryArrayWeWrite) {
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool(2);
    auto protos = ff_test::file_protocols(dir.path(), pool);
    std::ofstream manifest(dir.path() / "manifest.txt");
    const std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    int n = 0;
    for (const auto& c : write_cases()) {
        ff::array_serializer s(c.opts);
        auto a = ff_test::pattern_array(c.type, c.shape, c.chunks, n);
        ff::value payload = run_awaitable(s.pickle(protos, "wf", ff::extension::make(a)));
        auto [ver, name] = payload.as<std::tuple<std::string, std::string>>();
        ASSERT_TRUE(payload.is<ff::tuple>());
        EXPECT_EQ(ver, "0.0.0");
        EXPECT_TRUE(std::regex_match(name, uuid4)) << name;
        fs::path h5 = dir.path() / "wf" / "bigdata" / name;
        ASSERT_TRUE(fs::exists(h5));
        fs::path raw = dir.path() / ("raw" + std::to_string(n++));
        ff_test::write_raw(a, raw);
        bool chunked = !c.shape.empty() && a.size() != 0;
        manifest << h5.string() << ";" << raw.string() << ";" << ff::dtype_typestr(c.type) << ";"
                 << ff_test::py_shape(c.shape) << ";"
                 << (chunked ? ff_test::py_shape(a.chunks()) : "None") << ";"
                 << (chunked ? py_opt(c.opts.gzip_level) : "None") << ";"
                 << (chunked && c.opts.shuffle ? "1" : "0") << "\n";
        // And we read it back.
        ff::value back = run_awaitable(s.unpickle(protos, "wf", payload));
        EXPECT_EQ(back.as<ff::chunked_array>(), a) << h5;
    }
    manifest.close();
    // No temporary files are left behind.
    for (const auto& e : fs::directory_iterator(dir.path() / "wf" / "bigdata"))
        EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
    auto r = ff_test::run_python(verify_script, (dir.path() / "manifest.txt").string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("bad 0"), std::string::npos) << r.output;
}

namespace {
/// Python writing one file per case into bigdata/, plus raw bytes and a manifest line
/// "name|typestr|shape|chunks" where chunks is what we must report.
const char* h5py_writer_script = R"PY(
import sys, os, h5py, numpy as np
root = sys.argv[1]
big = os.path.join(root, "wf", "bigdata"); os.makedirs(big, exist_ok=True)
out = open(os.path.join(root, "manifest.txt"), "w")
types = ["|b1","|i1","<i2","<i4","<i8","|u1","<u2","<u4","<u8","<f4","<f8"]
def values(t, shape, k):
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.int64) + k
    if t == "|b1": v = (i % 3 == 0)
    elif t[1] == "f": v = i * 0.25 - 7.5
    else: v = i * 37 - (100 if t[1] == "i" else 0)
    return v.astype(np.dtype(t)).reshape(shape)
k = 0
def emit(name, arr, report_chunks, **kw):
    global k
    with h5py.File(os.path.join(big, name), "w") as f:
        f.create_dataset("dask_arrays", data=arr, **kw)
    native = arr.astype(arr.dtype.newbyteorder("="))
    native.tofile(os.path.join(root, name + ".raw"))
    out.write(";".join([name, native.dtype.str if native.dtype != bool else "|b1",
                        repr(tuple(arr.shape)), repr(report_chunks)]) + "\n")
for t in types:
    a = values(t, (7, 5), k); k += 1
    emit("chunked" + t[1:], a, (3, 2), chunks=(3, 2))
    emit("contig" + t[1:], a, (7, 5))
    emit("gzip" + t[1:], a, (3, 2), chunks=(3, 2), compression="gzip", compression_opts=6)
    emit("gzipshuf" + t[1:], a, (4, 5), chunks=(4, 5), compression="gzip", shuffle=True)
    emit("scalar" + t[1:], values(t, (), k), ())
    emit("empty" + t[1:], values(t, (0, 3), k), (1, 3))
big_a = values("<f8", (300000,), 3)
emit("big1d", big_a, (65536,), chunks=(65536,))
emit("bigendian", values("<i4", (9, 4), 1).astype(">i4"), (2, 4), chunks=(2, 4))
# Chunks never written read as the fill value.
with h5py.File(os.path.join(big, "sparse"), "w") as f:
    d = f.create_dataset("dask_arrays", shape=(6, 6), chunks=(3, 3), dtype="<i2", fillvalue=-9)
    d[0:3, 0:3] = 5
sp = np.full((6, 6), -9, dtype="<i2"); sp[0:3, 0:3] = 5
sp.tofile(os.path.join(root, "sparse.raw"))
out.write("sparse;<i2;(6, 6);(3, 3)\n")
out.close()
)PY";

ff::chunked_array::shape_type parse_tuple(const std::string& s) {
    ff::chunked_array::shape_type out;
    std::string digits;
    for (char c : s) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            digits += c;
        } else if (!digits.empty()) {
            out.push_back(std::stoull(digits));
            digits.clear();
        }
    }
    return out;
}
}  // namespace

TEST(ArraySerializerFile, ReadsEveryFileH5pyWrites) {
    ff_test::temp_dir dir;
    auto r = ff_test::run_python(h5py_writer_script, dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    boost::asio::thread_pool pool(2);
    auto protos = ff_test::file_protocols(dir.path(), pool);
    ff::array_serializer s;
    std::ifstream manifest(dir.path() / "manifest.txt");
    std::string line;
    int count = 0;
    while (std::getline(manifest, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string part; std::getline(ss, part, ';');)
            f.push_back(part);
        ASSERT_EQ(f.size(), 4u) << line;
        SCOPED_TRACE(f[0]);
        ff::value v = run_awaitable(s.unpickle(protos, "wf", ff::tuple{"0.0.0", f[0]}));
        auto a = v.as<ff::chunked_array>();
        EXPECT_EQ(a.type(), ff::parse_dtype(f[1]));
        EXPECT_EQ(a.shape(), parse_tuple(f[2]));
        EXPECT_EQ(a.chunks(), parse_tuple(f[3]));
        std::string raw = ff_test::read_file(dir.path() / (f[0] + ".raw"));
        ASSERT_EQ(raw.size(), a.nbytes());
        EXPECT_EQ(std::memcmp(raw.data(), a.data(), raw.size()), 0);
        ++count;
    }
    EXPECT_EQ(count, 11 * 6 + 3);
}

TEST(ArraySerializerFile, LazyHandleReadsOneRegion) {
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool(2);
    auto protos = ff_test::file_protocols(dir.path(), pool);
    ff::array_options opts;
    opts.gzip_level = 3;
    ff::array_serializer s(opts);
    auto a = ff_test::pattern_array(ff::dtype::float64, {50, 40}, {8, 16});
    auto payload = run_awaitable(s.pickle(protos, "wf", ff::extension::make(a)));
    ff::lazy_array lazy = run_awaitable(s.open(protos, "wf", payload));
    EXPECT_EQ(lazy.type(), ff::dtype::float64);
    EXPECT_EQ(lazy.shape(), a.shape());
    EXPECT_EQ(lazy.chunks(), a.chunks());
    auto part = run_awaitable(lazy.read({{5, 7}, {20, 30}}));
    EXPECT_EQ(part.shape(), (ff::chunked_array::shape_type{20, 30}));
    EXPECT_EQ(part.chunks(), (ff::chunked_array::shape_type{8, 16}));
    auto whole = a.view<double>();
    auto got = part.view<double>();
    for (std::size_t i = 0; i < 20; ++i)
        for (std::size_t j = 0; j < 30; ++j)
            ASSERT_EQ(got(i, j), whole(5 + i, 7 + j));
    EXPECT_EQ(run_awaitable(lazy.read()), a);
    EXPECT_THROW(run_awaitable(lazy.read({{45, 0}, {10, 1}})), ff::config_error);
    EXPECT_THROW(run_awaitable(lazy.read({{0}, {1}})), ff::config_error);

    // With options::lazy, unpickle hands out the handle instead of the data.
    ff::array_options lazy_opts;
    lazy_opts.lazy = true;
    ff::array_serializer lazy_s(lazy_opts);
    ff::value v = run_awaitable(lazy_s.unpickle(protos, "wf", payload));
    auto* h = v.get<ff::extension>().get_if<ff::lazy_array>();
    ASSERT_NE(h, nullptr);
    auto corner = run_awaitable(h->read({{49, 39}, {1, 1}}));
    EXPECT_EQ(corner.data_as<double>()[0], whole(49, 39));
}

TEST(ArraySerializerFile, RemoveDeletesTheFileAndToleratesMissing) {
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool(2);
    auto protos = ff_test::file_protocols(dir.path(), pool);
    ff::array_serializer s;
    auto payload = run_awaitable(s.pickle(
        protos, "wf", ff::extension::make(ff_test::pattern_array(ff::dtype::int32, {10}, {4}))));
    fs::path file = dir.path() / "wf" / "bigdata" / payload.get<ff::tuple>()[1].get<std::string>();
    ASSERT_TRUE(fs::exists(file));
    run_awaitable(s.remove(protos, "wf", payload));
    EXPECT_FALSE(fs::exists(file));
    EXPECT_NO_THROW(run_awaitable(s.remove(protos, "wf", payload)));
    EXPECT_THROW(run_awaitable(s.unpickle(protos, "wf", payload)), ff::not_found);
}

TEST(ArraySerializerFile, ManySavesInFlightOnThePool) {
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool(2);
    auto protos = ff_test::file_protocols(dir.path(), pool, /*fsync=*/true);
    ff::array_options opts;
    opts.gzip_level = 1;
    ff::array_serializer s(opts);
    boost::asio::io_context io;
    std::vector<ff::chunked_array> arrays;
    for (int i = 0; i < 24; ++i)
        arrays.push_back(ff_test::pattern_array(ff::dtype::float32, {64, 33}, {16, 8}, i));
    std::vector<ff::value> payloads(arrays.size());
    int done = 0;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        boost::asio::co_spawn(
            io,
            [&, i]() -> boost::asio::awaitable<void> {
                payloads[i] = co_await s.pickle(protos, "wf", ff::extension::make(arrays[i]));
                auto back = co_await s.unpickle(protos, "wf", payloads[i]);
                EXPECT_EQ(back.as<ff::chunked_array>(), arrays[i]);
                ++done;
            },
            [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
    }
    io.run();
    EXPECT_EQ(done, 24);
    std::set<std::string> names;
    for (auto& p : payloads)
        names.insert(p.get<ff::tuple>()[1].get<std::string>());
    EXPECT_EQ(names.size(), arrays.size());
}

TEST(ArraySerializerFile, RunsEntirelyOnTheCallingThreadForTheSyncPath) {
    // The sync storages lend a file_protocol whose blocking executor is the calling thread.
    ff_test::temp_dir dir;
    boost::asio::io_context caller;
    ff_test::register_hdf5_store();
    ff::protocols protos;
    protos.emplace(std::string(ff::FILE_PROTOCOL),
                   std::make_shared<ff::file_protocol>(dir.path(), caller.get_executor(), true));
    ff::array_options opts;
    opts.gzip_level = 2;
    opts.shuffle = true;
    for (auto o : {ff::array_options{}, opts}) {
        ff::array_serializer s(o);
        auto a = ff_test::pattern_array(ff::dtype::uint16, {100, 10}, {7, 3});
        ff::value back;
        const auto me = std::this_thread::get_id();
        boost::asio::co_spawn(
            caller,
            [&]() -> boost::asio::awaitable<void> {
                auto payload = co_await s.pickle(protos, "wf", ff::extension::make(a));
                EXPECT_EQ(std::this_thread::get_id(), me);
                back = co_await s.unpickle(protos, "wf", payload);
            },
            [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
        caller.run();
        caller.restart();
        EXPECT_EQ(back.as<ff::chunked_array>(), a);
    }
}
