// numpy interop with Debian's /usr/bin/python3 and python3-numpy (1.24): a corpus of numpy
// arrays and scalars and big integers, nested in dicts, lists and tuples as FunctionFuse results
// are, pickled by Python with protocols 2, 3, 4 and 5.
// - C++ loads every file and pickles the value again; Python loads each C++ copy and compares
//   it with what numpy's own protocol-4 pickle of the original loads as: same types, dtypes
//   (byte order included), shapes, memory order, `numpy.array_equal` data.
// - C++'s bytes equal numpy's own protocol-4 bytes.
// - numpy 2's `numpy._core` spellings load as numpy 1's do.
// - Arrays built in C++ (xtensor) load in Python as np.ndarray; arrays from Python read as
//   xtensor with the right values whatever their byte and memory order.

#include <gtest/gtest.h>

#include <complex>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <xtensor/xio.hpp>

#include "functionfuse/ndarray_xtensor.hpp"
#include "pickle/pickle.hpp"
#include "python.hpp"
#include "python_corpus.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;

namespace {

constexpr char python_numpy[] = R"PY(
import os, pickle, sys
import numpy as np

def corpus():
    c = {}
    base = np.arange(12) % 7 - 3
    for dt in ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8",
               "c16"]:
        d = np.dtype(dt)
        a = base.astype(d).reshape(3, 4)
        if d.kind == "c":
            a = a + 1j * a[::-1]
        c["arr_" + d.name] = a
        if d.itemsize > 1:
            c["arr_be_" + d.name] = a.astype(d.newbyteorder(">"))
    c["fortran"] = np.asfortranarray(np.arange(24, dtype="f8").reshape(2, 3, 4))
    c["fortran_be"] = np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3))
    c["zero_d"] = np.array(3.5)
    c["zero_d_bool"] = np.array(True)
    c["empty"] = np.zeros((0, 5), dtype="i4")
    c["noncontiguous"] = np.arange(16.0).reshape(4, 4)[::2, ::2]
    c["rank5"] = np.ones((1, 2, 1, 2, 1), dtype="u2")
    c["large"] = np.arange(100000, dtype="f8")
    ro = np.arange(5, dtype="i8"); ro.flags.writeable = False
    c["readonly"] = ro
    c["scalars"] = [np.float64(1.5), np.float32(-2.25), np.float16(0.5), np.int64(-7),
                    np.int32(7), np.int16(300), np.int8(-1), np.uint8(255),
                    np.uint64(2**64 - 1), np.bool_(True), np.bool_(False),
                    np.complex128(1 + 2j), np.complex64(-1j), np.float64("nan")]
    c["mean"] = np.mean(np.arange(10.0))
    c["big_ints"] = [2**63, -2**63 - 1, 2**64, 2**100, -2**200, 10**80, 3**3000]
    c["shared_dtype"] = [np.arange(3), np.arange(4), np.float64(2.0), np.int64(5)]
    a = np.arange(3.0)
    c["same_array_twice"] = [a, a]
    c["result"] = {"loss": np.float32(0.125), "weights": [np.eye(2), (np.arange(3, dtype="u1"),
                   {"step": np.int64(10), "big": 2**70})], "name": "run", "ok": True}
    return c

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return (a.dtype == b.dtype and a.dtype.byteorder == b.dtype.byteorder
                and a.shape == b.shape and a.flags.c_contiguous == b.flags.c_contiguous
                and a.flags.f_contiguous == b.flags.f_contiguous
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return a == b

def cpp_built():
    return {"f8": np.arange(6.0).reshape(2, 3), "i4": np.array([[1, -2], [3, -4]], dtype="i4"),
            "b1": np.array([True, False, True]), "c16": np.array([1 + 2j, -3j]),
            "u1_0d": np.array(7, dtype="u1"), "empty": np.zeros((2, 0), dtype="f4")}

mode, directory = sys.argv[1], sys.argv[2]
if mode == "write":
    for name, value in corpus().items():
        for protocol in (2, 3, 4, 5):
            data = pickle.dumps(value, protocol=protocol)
            with open(os.path.join(directory, "py_%s_p%d.pkl" % (name, protocol)), "wb") as f:
                f.write(data)
            if protocol == 2:  # numpy 2's module names (GLOBAL lines: no lengths to fix)
                with open(os.path.join(directory, "np2_%s_p2.pkl" % name), "wb") as f:
                    f.write(data.replace(b"numpy.core.", b"numpy._core."))
    print("wrote", len(corpus()))
elif mode == "check":
    bad = checked = 0
    for name in sorted(os.listdir(directory)):
        if not name.startswith("cpp_"):
            continue
        with open(os.path.join(directory, name), "rb") as f:
            got = pickle.loads(f.read())
        with open(os.path.join(directory, "py_" + name[4:]), "rb") as f:
            original = pickle.loads(f.read())
        # C++ writes protocol 4, so the copy must load as numpy's own protocol-4 pickle of the
        # same objects does (numpy loads a big-endian array pickled with protocol 2-4 as
        # native-endian; protocol 5's _frombuffer keeps the byte order).
        expected = pickle.loads(pickle.dumps(original, protocol=4))
        checked += 1
        if not same(got, expected):
            print("MISMATCH", name, repr(got)[:300]); bad += 1
    print("checked", checked, "bad", bad)
    sys.exit(1 if bad or not checked else 0)
elif mode == "check_built":
    with open(os.path.join(directory, "built.pkl"), "rb") as f:
        got = pickle.loads(f.read())
    expected = cpp_built()
    ok = same(got, expected)
    print("built", "ok" if ok else "MISMATCH " + repr(got)[:500])
    sys.exit(0 if ok else 1)
)PY";

using NumpyInterop = ff_test::python_corpus_test<python_numpy>;

TEST_F(NumpyInterop, CppReadsEveryProtocolAndPythonGetsTheSameObjectsBack) {
    const auto names = files("py_");
    ASSERT_GE(names.size(), 4u * 30);
    for (const auto& name : names) {
        ff::value v;
        ASSERT_NO_THROW(v = load(name)) << name;
        ff_test::write_binary(dir_->path() / ("cpp_" + name.substr(3)), pk::dumps(v));
    }
    const auto r = ff_test::run_python(python_numpy, "check " + dir_->path().string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("checked " + std::to_string(names.size()) + " bad 0"),
              std::string::npos)
        << r.output;
}

TEST_F(NumpyInterop, CppWritesNumpysOwnProtocol4Bytes) {
    // "same_array_twice": Python fetches the one array from the memo, C++ (whose values hold no
    // shared references) writes it twice. Every other entry is byte for byte numpy's.
    for (const auto& name : files("py_")) {
        if (name.size() < 7 || name.substr(name.size() - 7) != "_p4.pkl" ||
            name.find("same_array_twice") != std::string::npos)
            continue;
        const std::string python = ff_test::read_binary(dir_->path() / name);
        EXPECT_TRUE(pk::dumps(pk::loads(python)) == python) << name;
    }
}

TEST_F(NumpyInterop, Numpy2SpellingsLoadLikeNumpy1s) {
    for (const auto& name : files("np2_")) {
        const std::string original = "py_" + name.substr(4);
        EXPECT_EQ(load(name), load(original)) << name;
        if (ff_test::read_binary(dir_->path() / original).find("numpy.core") != std::string::npos) {
            EXPECT_NE(ff_test::read_binary(dir_->path() / name).find("numpy._core"),
                      std::string::npos)
                << name;
        }
    }
}

TEST_F(NumpyInterop, PythonArraysReadAsXtensorInAnyByteAndMemoryOrder) {
    for (int protocol = 2; protocol <= 5; ++protocol) {
        const std::string p = "_p" + std::to_string(protocol) + ".pkl";
        const auto f = load("py_fortran" + p).get<ff::ndarray>();
        EXPECT_EQ(f.memory_order(), ff::ndarray::order::fortran);
        const xt::xarray<double> fx = ff::to_xarray<double>(f);
        EXPECT_EQ(fx.shape(), (std::vector<std::size_t>{2, 3, 4}));
        EXPECT_EQ(fx(1, 2, 3), 23.0);
        EXPECT_EQ(fx(0, 1, 2), 6.0);
        const xt::xarray<std::int32_t> be =
            ff::to_xarray<std::int32_t>(load("py_fortran_be" + p).get<ff::ndarray>());
        EXPECT_EQ(be, (xt::xarray<std::int32_t>{{0, 1, 2}, {3, 4, 5}}));
        // arange(12) % 7 - 3 as 3x4, in every dtype and byte order.
        const xt::xarray<double> want = {{-3, -2, -1, 0}, {1, 2, 3, -3}, {-2, -1, 0, 1}};
        for (const char* dt :
             {"int16", "be_int32", "int64", "be_float16", "float32", "be_float64"}) {
            const auto a = load(std::string("py_arr_") + dt + p).get<ff::ndarray>();
            EXPECT_EQ(ff::to_xarray<double>(a), want) << dt << p;
        }
        EXPECT_EQ(ff::to_xarray<std::int64_t>(load("py_arr_be_int64" + p).get<ff::ndarray>()),
                  xt::xarray<std::int64_t>(want));
        const auto c = ff::to_xarray<std::complex<double>>(
            load("py_arr_be_complex128" + p).get<ff::ndarray>());
        EXPECT_EQ(c(0, 0), std::complex<double>(-3, -2));  // base + 1j * base[::-1]
        EXPECT_THROW(
            (void)ff::to_xarray<std::int32_t>(load("py_arr_float64" + p).get<ff::ndarray>()),
            ff::type_error);
        const auto z = load("py_zero_d" + p).get<ff::ndarray>();
        EXPECT_EQ(z.ndim(), 0u);
        EXPECT_EQ(ff::to_xarray<double>(z)(), 3.5);
        // Scalars keep their numpy type and convert to C++ numbers.
        const ff::value scalars = load("py_scalars" + p);
        const auto& s = scalars.get<ff::list>();
        EXPECT_EQ(s[0].type_name(), "numpy.float64");
        EXPECT_EQ(s[0].as<double>(), 1.5);
        EXPECT_EQ(s[1].as<float>(), -2.25f);
        EXPECT_EQ(s[2].as<double>(), 0.5);
        EXPECT_EQ(s[3].as<int>(), -7);
        EXPECT_EQ(s[5].type_name(), "numpy.int16");
        EXPECT_EQ(s[7].as<int>(), 255);
        EXPECT_THROW((void)s[8].as<std::int64_t>(), ff::type_error);  // uint64 2**64 - 1
        EXPECT_TRUE(s[9].as<bool>());
        EXPECT_EQ(load("py_mean" + p).as<double>(), 4.5);
        const ff::value big_ints = load("py_big_ints" + p);
        const auto& big = big_ints.get<ff::list>();
        EXPECT_EQ(big[2].get<ff::big_int>().to_string(), "18446744073709551616");
        EXPECT_THROW((void)big[0].as<std::int64_t>(), ff::type_error);
    }
}

TEST_F(NumpyInterop, ArraysBuiltInCppLoadInPythonAsNdarrays) {
    using c16 = std::complex<double>;
    auto complex_copy = xt::xarray<c16>::from_shape({2});
    complex_copy(0) = c16(1, 2);
    complex_copy(1) = c16(0, -3);
    auto zero_d = xt::xarray<std::uint8_t>::from_shape({});
    zero_d() = 7;
    ff::dict built;
    built.insert_or_assign("f8", ff::make_ndarray(xt::xarray<double>{{0, 1, 2}, {3, 4, 5}}));
    built.insert_or_assign("i4", ff::make_ndarray(xt::xarray<std::int32_t>{{1, -2}, {3, -4}}));
    built.insert_or_assign("b1", ff::make_ndarray(xt::xarray<bool>{true, false, true}));
    built.insert_or_assign("c16", ff::make_ndarray(complex_copy));
    built.insert_or_assign("u1_0d", ff::make_ndarray(zero_d));
    built.insert_or_assign("empty", ff::make_ndarray(xt::xarray<float>::from_shape({2, 0})));
    ff_test::write_binary(dir_->path() / "built.pkl", pk::dumps(built));
    const auto r = ff_test::run_python(python_numpy, "check_built " + dir_->path().string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("built ok"), std::string::npos) << r.output;
}

}  // namespace
