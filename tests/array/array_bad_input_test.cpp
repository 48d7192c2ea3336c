// Bad input to the array serializer: missing, truncated and corrupt files, unsupported dtypes,
// malformed payloads and configurations. Each is a clear exception and nothing is left behind.
#include <gtest/gtest.h>

#include <fstream>

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

ff::array_options gzip(int level, bool shuffle) {
    ff::array_options o;
    o.gzip_level = level;
    o.shuffle = shuffle;
    return o;
}

class ArrayBadInput : public ::testing::Test {
  protected:
    ff_test::temp_dir dir;
    boost::asio::thread_pool pool{2};
    ff::protocols protos = ff_test::file_protocols(dir.path(), pool);
    ff::array_serializer s;

    fs::path bigdata(const std::string& name) { return dir.path() / "wf" / "bigdata" / name; }
    /// Saves an array and returns its file name.
    std::string save(const ff::array_options& opts = {}) {
        ff::array_serializer w(opts);
        auto p = run_awaitable(w.pickle(
            protos, "wf",
            ff::extension::make(ff_test::pattern_array(ff::dtype::float64, {256, 64}, {32, 64}))));
        return p.get<ff::tuple>()[1].get<std::string>();
    }
    template <class E>
    std::string expect_unpickle_throws(const std::string& name) {
        try {
            run_awaitable(s.unpickle(protos, "wf", ff::tuple{"0.0.0", name}));
            ADD_FAILURE() << "no exception for " << name;
        } catch (const E& e) {
            return e.what();
        }
        return {};
    }
};

}  // namespace

TEST_F(ArrayBadInput, MissingFileIsNotFoundNamingIt) {
    auto msg = expect_unpickle_throws<ff::not_found>("0b8e4b6e-2f6c-4c3e-9a57-5d1f6a3c2b10");
    EXPECT_NE(msg.find(bigdata("0b8e4b6e-2f6c-4c3e-9a57-5d1f6a3c2b10").string()), std::string::npos)
        << msg;
    EXPECT_THROW(run_awaitable(s.open(protos, "wf", ff::tuple{"0.0.0", "nope"})), ff::not_found);
}

TEST_F(ArrayBadInput, TruncatedFileIsAnIoErrorNamingIt) {
    for (auto opts : {ff::array_options{}, gzip(6, true)}) {
        auto name = save(opts);
        auto size = fs::file_size(bigdata(name));
        for (auto keep : {size / 2, size - 100, std::uintmax_t{700}}) {
            auto copy = name + "-cut" + std::to_string(keep);
            fs::copy_file(bigdata(name), bigdata(copy));
            fs::resize_file(bigdata(copy), keep);
            auto msg = expect_unpickle_throws<ff::io_error>(copy);
            EXPECT_NE(msg.find(copy), std::string::npos) << msg;
        }
    }
}

TEST_F(ArrayBadInput, CorruptFilesAreIoErrors) {
    fs::create_directories(bigdata(""));
    {
        std::ofstream junk(bigdata("junk"), std::ios::binary);
        for (int i = 0; i < 5000; ++i)
            junk.put(static_cast<char>(i * 31 + 7));
    }
    expect_unpickle_throws<ff::io_error>("junk");
    { std::ofstream empty(bigdata("empty")); }
    expect_unpickle_throws<ff::io_error>("empty");

    // Damage the compressed chunks of a gzip file: HDF5 opens it but inflate fails.
    auto name = save(gzip(6, false));
    auto size = fs::file_size(bigdata(name));
    {
        std::fstream f(bigdata(name), std::ios::in | std::ios::out | std::ios::binary);
        for (std::uintmax_t off = size / 2; off < size - 64; off += 97) {
            f.seekp(static_cast<std::streamoff>(off));
            f.put('\x5a');
        }
    }
    expect_unpickle_throws<ff::io_error>(name);
}

TEST_F(ArrayBadInput, UnsupportedDtypesAndMissingDatasetAreClear) {
    auto r = ff_test::run_python(R"PY(
import sys, os, h5py, numpy as np
big = os.path.join(sys.argv[1], "wf", "bigdata"); os.makedirs(big)
def w(name, **kw):
    with h5py.File(os.path.join(big, name), "w") as f: f.create_dataset("dask_arrays", **kw)
w("complex", data=np.arange(6, dtype=np.complex128))
w("strings", data=np.array([b"ab", b"cd"]))
w("half", data=np.arange(4, dtype=np.float16))
with h5py.File(os.path.join(big, "other"), "w") as f: f.create_dataset("x", data=np.arange(3))
)PY",
                                 dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto msg = expect_unpickle_throws<ff::type_error>("complex");
    EXPECT_NE(msg.find("complex"), std::string::npos) << msg;
    EXPECT_NE(msg.find(bigdata("complex").string()), std::string::npos) << msg;
    msg = expect_unpickle_throws<ff::type_error>("strings");
    EXPECT_NE(msg.find("string"), std::string::npos) << msg;
    msg = expect_unpickle_throws<ff::type_error>("half");
    EXPECT_NE(msg.find("2-byte float"), std::string::npos) << msg;
    msg = expect_unpickle_throws<ff::io_error>("other");
    EXPECT_NE(msg.find("dask_arrays"), std::string::npos) << msg;
}

TEST_F(ArrayBadInput, MalformedPayloadsAreInvalidPickle) {
    // A crafted pickle must never make remove() touch files outside bigdata/.
    fs::create_directories(dir.path() / "wf");
    { std::ofstream precious(dir.path() / "wf" / "precious"); }
    for (ff::value p :
         {ff::value(ff::tuple{"0.0.0", "../precious"}), ff::value(ff::tuple{"0.0.0", ".."}),
          ff::value(ff::tuple{"0.0.0", ""}), ff::value(ff::tuple{"0.0.0", "/etc/passwd"}),
          ff::value(ff::tuple{"9.9.9", "abc"}), ff::value(ff::tuple{"0.0.0"}), ff::value("abc"),
          ff::value(ff::tuple{"0.0.0", 5})}) {
        EXPECT_THROW(run_awaitable(s.remove(protos, "wf", p)), ff::invalid_pickle) << p.repr();
        EXPECT_THROW(run_awaitable(s.unpickle(protos, "wf", p)), ff::invalid_pickle) << p.repr();
    }
    EXPECT_TRUE(fs::exists(dir.path() / "wf" / "precious"));
}

TEST_F(ArrayBadInput, ConfigurationAndTypeErrors) {
    EXPECT_THROW(ff::array_serializer(gzip(12, false)), ff::config_error);
    // No protocol this serializer can use.
    ff::protocols none;
    auto arr = ff::extension::make(ff_test::pattern_array(ff::dtype::int8, {3}, {3}));
    try {
        run_awaitable(s.pickle(none, "wf", arr));
        FAIL();
    } catch (const ff::config_error& e) {
        EXPECT_EQ(e.field(), "protocols");
    }
    // Not an array.
    EXPECT_THROW(run_awaitable(s.pickle(protos, "wf", ff::extension::make(std::string("x")))),
                 ff::type_error);
    // HDF5 limits: 33 dimensions, chunks of 4 GiB or more. Nothing is left behind.
    ff::chunked_array::shape_type d33(33, 1);
    EXPECT_THROW(
        run_awaitable(s.pickle(
            protos, "wf", ff::extension::make(ff_test::pattern_array(ff::dtype::int8, d33, d33)))),
        ff::config_error);
    // A bigdata directory that cannot be created (a file is in the way).
    { std::ofstream blocker(dir.path() / "blocked"); }
    EXPECT_THROW(run_awaitable(s.pickle(protos, "blocked", arr)), ff::io_error);
    if (fs::exists(bigdata("")))
        for (const auto& e : fs::directory_iterator(bigdata("")))
            ADD_FAILURE() << "left behind: " << e.path();
}
