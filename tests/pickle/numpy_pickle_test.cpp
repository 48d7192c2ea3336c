// numpy arrays, dtypes and scalars in the pickle reader and writer: the shapes numpy writes
// load, and every variation of them (argument counts and types, shape vs byte count, dims,
// dtype strings and states, BUILD targets) is `invalid_pickle`, never a crash. The pickles are
// built here opcode by opcode (protocol 2 spellings, as numpy 1.24 writes them); the interop
// test covers the bytes numpy itself writes.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pickle/pickle.hpp"
#include "pickle_builders.hpp"
#include "pickle_errors.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
using pickle_test::contains;
using pickle_test::error_of;
using pickle_test::global;
using pickle_test::int1;
using pickle_test::int4;
using pickle_test::le32;
using pickle_test::raw;
using pickle_test::str;
using pickle_test::tuple_of;

namespace {

const std::string dtype_state3_tail = "NNN" + int4(-1) + int4(-1) + int1(0);

std::string dtype_call(const std::string& spec) {
    return global("numpy", "dtype") + str(spec) + "\x89\x88\x87R";
}
std::string dtype_of(const std::string& spec, const std::string& order) {
    return dtype_call(spec) + tuple_of({int1(3), str(order), dtype_state3_tail}) + "b";
}
std::string reconstruct() {
    return global("numpy.core.multiarray", "_reconstruct") + global("numpy", "ndarray") + int1(0) +
           "\x85" + raw("b") + "\x87R";
}
std::string array_of(const std::string& shape, const std::string& dtype, bool fortran,
                     const std::string& data) {
    return reconstruct() + tuple_of({int1(1), shape, dtype, fortran ? "\x88" : "\x89", raw(data)}) +
           "b";
}
std::string pickle2(const std::string& body) {
    return "\x80\x02" + body + ".";
}

const std::string i4_2x2 = std::string("\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0", 16);
const std::string shape_2x2 = int1(2) + int1(2) + "\x86";

std::string good_array() {
    return pickle2(array_of(shape_2x2, dtype_of("i4", "<"), false, i4_2x2));
}

}  // namespace

TEST(NumpyPickle, ArrayLoadsWithDtypeShapeOrderAndBytes) {
    const ff::value v = pk::loads(good_array());
    const auto& a = v.get<ff::ndarray>();
    EXPECT_EQ(a.typestr(), "<i4");
    EXPECT_EQ(a.dtype_name(), "int32");
    EXPECT_EQ(a.shape(), (ff::ndarray::shape_type{2, 2}));
    EXPECT_EQ(a.memory_order(), ff::ndarray::order::c);
    EXPECT_FALSE(a.is_scalar());
    EXPECT_EQ(a.data(), i4_2x2);
    EXPECT_EQ(v.type_name(), "numpy.ndarray");

    const ff::value f = pk::loads(pickle2(array_of(shape_2x2, dtype_of("i4", ">"), true, i4_2x2)));
    EXPECT_EQ(f.get<ff::ndarray>().typestr(), ">i4");
    EXPECT_TRUE(f.get<ff::ndarray>().big_endian());
    EXPECT_EQ(f.get<ff::ndarray>().memory_order(), ff::ndarray::order::fortran);

    // 0-d and zero-sized arrays; one-byte dtypes use '|'.
    const ff::value z = pk::loads(pickle2(array_of(")", dtype_of("b1", "|"), false, "\1")));
    EXPECT_TRUE(z.get<ff::ndarray>().shape().empty());
    EXPECT_EQ(z.get<ff::ndarray>().size(), 1u);
    const ff::value e = pk::loads(
        pickle2(array_of(int1(0) + int4(1 << 30) + "\x86", dtype_of("f8", "<"), false, "")));
    EXPECT_EQ(e.get<ff::ndarray>().size(), 0u);
}

TEST(NumpyPickle, ArraysInsideContainersAndSharedDtypes) {
    // [a, a'] where the second array fetches the first one's dtype from the memo (BUILD updated
    // it in place, so the fetched copy is the built dtype), and the first array twice.
    const std::string body = "(" + reconstruct() + "(" + int1(1) + int1(1) + "\x85" +
                             dtype_of("f4", "<") + "q\x07" + "\x89" + raw(std::string(4, '\0')) +
                             "tbq\x08" + reconstruct() + "(" + int1(1) + int1(1) + "\x85" +
                             "h\x07" + "\x89" + raw(std::string(4, '\1')) + "tb" + "h\x08" + "l";
    const ff::value v = pk::loads(pickle2(body));
    const auto& l = v.get<ff::list>();
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[1].get<ff::ndarray>().typestr(), "<f4");
    EXPECT_EQ(l[1].get<ff::ndarray>().data(), std::string(4, '\1'));
    EXPECT_EQ(l[0], l[2]);
}

TEST(NumpyPickle, FrombufferScalarAndNumpy2Spellings) {
    const std::string fb = global("numpy.core.numeric", "_frombuffer") +
                           tuple_of({"\x96" + std::string("\x10\0\0\0\0\0\0\0", 8) + i4_2x2,
                                     dtype_of("i4", "<"), shape_2x2, str("F")}) +
                           "R";
    const ff::value v = pk::loads("\x80\x05" + fb + ".");
    EXPECT_EQ(v.get<ff::ndarray>().memory_order(), ff::ndarray::order::fortran);
    EXPECT_EQ(v.get<ff::ndarray>().data(), i4_2x2);

    std::string fb2 = fb;
    fb2.replace(fb2.find("numpy.core"), 10, "numpy._core");
    EXPECT_EQ(pk::loads("\x80\x05" + fb2 + "."), v);

    const std::string sc = global("numpy.core.multiarray", "scalar") + dtype_of("f8", "<") +
                           raw(std::string("\0\0\0\0\0\0\xf8\x3f", 8)) + "\x86R";
    const ff::value s = pk::loads(pickle2(sc));
    EXPECT_TRUE(s.get<ff::ndarray>().is_scalar());
    EXPECT_EQ(s.type_name(), "numpy.float64");
    EXPECT_EQ(s.as<double>(), 1.5);
    EXPECT_THROW((void)s.as<std::string>(), ff::type_error);

    std::string sc2 = sc;
    sc2.replace(sc2.find("numpy.core"), 10, "numpy._core");
    EXPECT_EQ(pk::loads(pickle2(sc2)), s);

    const ff::value i = pk::loads(pickle2(global("numpy.core.multiarray", "scalar") +
                                          dtype_of("i2", ">") + raw("\xff\xfe") + "\x86R"));
    EXPECT_EQ(i.as<int>(), -2);
    EXPECT_EQ(i.as<double>(), -2.0);
    const ff::value t = pk::loads(pickle2(global("numpy.core.multiarray", "scalar") +
                                          dtype_of("b1", "|") + raw("\x01") + "\x86R"));
    EXPECT_TRUE(t.as<bool>());
    const ff::value h =
        pk::loads(pickle2(global("numpy.core.multiarray", "scalar") + dtype_of("f2", "<") +
                          raw(std::string("\x00\x3c", 2)) + "\x86R"));
    EXPECT_EQ(h.as<double>(), 1.0);  // float16 1.0 is 0x3c00
}

TEST(NumpyPickle, WrittenBackAsNumpyWritesIt) {
    // Loading and dumping keeps every field; the result loads again to the same value.
    for (const std::string& p :
         {good_array(), pickle2(array_of(shape_2x2, dtype_of("i4", ">"), true, i4_2x2))}) {
        const ff::value v = pk::loads(p);
        const std::string again = pk::dumps(v);
        EXPECT_EQ(pk::loads(again), v);
    }
    // A C++-built array.
    const ff::ndarray a("<f8", {3}, std::string(24, '\0'));
    EXPECT_EQ(pk::loads(pk::dumps(ff::list{a, a})), (ff::value(ff::list{a, a})));
}

TEST(NumpyPickle, ReconstructWithOtherArgumentsIsRefused) {
    const std::string rec = global("numpy.core.multiarray", "_reconstruct");
    const std::string nd = global("numpy", "ndarray");
    const std::string state =
        tuple_of({int1(1), shape_2x2, dtype_of("i4", "<"), "\x89", raw(i4_2x2)}) + "b";
    for (const std::string& args :
         {nd + int1(1) + "\x85" + raw("b") + "\x87",   // (1,) instead of (0,)
          nd + int1(0) + "\x85" + "\x86",              // two arguments
          nd + int1(0) + "\x85" + raw("c") + "\x87",   // b'c'
          nd + int1(0) + "\x85" + str("b") + "\x87",   // 'b' as str
          "N" + int1(0) + "\x85" + raw("b") + "\x87",  // not numpy.ndarray
          dtype_of("i4", "<") + int1(0) + "\x85" + raw("b") + "\x87"}) {
        const std::string e = error_of(pickle2(rec + args + "R" + state));
        EXPECT_TRUE(contains(e, "_reconstruct called with arguments numpy would not write")) << e;
    }
    EXPECT_TRUE(contains(error_of(pickle2(rec + "]R")), "a tuple is required"));
    EXPECT_TRUE(
        contains(error_of(pickle2("]" + nd + "a")), "global numpy.ndarray used as a value"));
    EXPECT_TRUE(contains(error_of(pickle2(nd + ")R")), "cannot be called"));
    EXPECT_TRUE(contains(error_of(pickle2(nd)), "used as a value"));
    // An array that never gets its BUILD, or a dtype, as the result or inside a container.
    EXPECT_TRUE(contains(error_of(pickle2(reconstruct())), "before its BUILD"));
    EXPECT_TRUE(contains(error_of(pickle2("]" + dtype_of("i4", "<") + "a")), "numpy.dtype"));
    EXPECT_TRUE(contains(error_of(pickle2(dtype_of("i4", "<"))), "numpy.dtype"));
    // An argument tuple is no value either.
    EXPECT_TRUE(contains(error_of(pickle2(nd + "\x85")), "tuple holding numpy objects"));
    EXPECT_TRUE(contains(error_of(pickle2(global("__builtin__", "set") + nd + "\x85R")),
                         "tuple holding numpy objects"));
}

TEST(NumpyPickle, StatesAndShapesThatDoNotMatchAreRefused) {
    const std::string dt = dtype_of("i4", "<");
    auto with_state = [&](const std::string& state) {
        return error_of(pickle2(reconstruct() + state + "b"));
    };
    EXPECT_TRUE(contains(with_state(tuple_of({shape_2x2, dt, "\x89", raw(i4_2x2)})), "5-tuple"));
    EXPECT_TRUE(contains(with_state(tuple_of({int1(2), shape_2x2, dt, "\x89", raw(i4_2x2)})),
                         "version other than 1"));
    EXPECT_TRUE(contains(with_state(int1(1)), "5-tuple"));
    // Byte count vs shape.
    EXPECT_TRUE(contains(
        with_state(tuple_of({int1(1), shape_2x2, dt, "\x89", raw(i4_2x2.substr(1))})), "needs 16"));
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), int1(3) + "\x85", dt, "\x89", raw(i4_2x2)})),
                         "needs 12"));
    // Negative, non-int, huge and too many dimensions: refused before any allocation.
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), int4(-1) + "\x85", dt, "\x89", raw("")})),
                         "not a non-negative int"));
    EXPECT_TRUE(contains(
        with_state(tuple_of({int1(1), "G" + std::string(8, '\0') + "\x85", dt, "\x89", raw("")})),
        "not a non-negative int"));
    const std::string huge = "\x8a\x08" + std::string("\0\0\0\0\0\0\0\x40", 8);  // 2**62
    EXPECT_TRUE(
        contains(with_state(tuple_of({int1(1), huge + huge + "\x86", dt, "\x89", raw(i4_2x2)})),
                 "too large"));
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), huge + "\x85", dt, "\x89", raw(i4_2x2)})),
                         "too large"));
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), int4(1 << 30) + int4(1 << 30) + "\x86", dt,
                                              "\x89", raw(i4_2x2)})),
                         "needs 4611686018427387904 bytes"));
    std::string dims = "(";
    for (int i = 0; i < 65; ++i)
        dims += int1(1);
    dims += "t";
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), dims, dt, "\x89", raw("\0\0\0\0")})),
                         "65 dimensions"));
    // Fortran flag, data type, dtype slot.
    EXPECT_TRUE(contains(with_state(tuple_of({int1(1), shape_2x2, dt, int1(0), raw(i4_2x2)})),
                         "Fortran flag"));
    EXPECT_TRUE(
        contains(with_state(tuple_of({int1(1), shape_2x2, dt, "\x89", str("abcd")})), "not bytes"));
    EXPECT_TRUE(
        contains(with_state(tuple_of({int1(1), shape_2x2, dt, "\x89", "]"})), "object arrays"));
    EXPECT_TRUE(
        contains(with_state(tuple_of({int1(1), shape_2x2, str("<i4"), "\x89", raw(i4_2x2)})),
                 "needs a numpy dtype"));
    // BUILD twice: the array is a value by then.
    EXPECT_TRUE(
        contains(error_of(pickle2(array_of(shape_2x2, dt, false, i4_2x2) +
                                  tuple_of({int1(1), shape_2x2, dt, "\x89", raw(i4_2x2)}) + "b")),
                 "unsupported opcode BUILD on a numpy.ndarray"));
}

TEST(NumpyPickle, DtypesThatAreNotSupportedAreNamed) {
    auto dtype_error = [](const std::string& spec, const std::string& order = "<") {
        return error_of(pickle2(array_of("K\x01\x85", dtype_of(spec, order), false, "")));
    };
    EXPECT_TRUE(contains(dtype_error("O8", "|"), "object arrays"));
    EXPECT_TRUE(contains(dtype_error("U3"), "string dtypes"));
    EXPECT_TRUE(contains(dtype_error("S3", "|"), "string dtypes"));
    EXPECT_TRUE(contains(dtype_error("M8"), "datetime64"));
    EXPECT_TRUE(contains(dtype_error("V8", "|"), "structured"));
    for (const char* bad : {"", "f", "f3", "i16", "x8", "f8f8", "<f8", "i-4", "\xc3\xa9"})
        EXPECT_TRUE(contains(dtype_error(bad), "unsupported numpy dtype")) << bad;
    // Byte orders numpy does not write for the type.
    EXPECT_TRUE(contains(dtype_error("f8", "|"), "byte order"));
    EXPECT_TRUE(contains(dtype_error("b1", "<"), "byte order"));
    EXPECT_TRUE(contains(dtype_error("f8", "<>"), "would not write"));
    EXPECT_TRUE(contains(dtype_error("f8", "x"), "byte order"));
    // dtype arguments and states.
    const std::string nd = global("numpy", "dtype");
    EXPECT_TRUE(contains(error_of(pickle2(nd + str("f8") + "\x89\x86R")), "would not write"));
    EXPECT_TRUE(contains(error_of(pickle2(nd + str("f8") + "\x88\x88\x87R")), "would not write"));
    EXPECT_TRUE(contains(error_of(pickle2(nd + int1(8) + "\x89\x88\x87R")), "would not write"));
    auto state_error = [&](const std::string& state) {
        return error_of(pickle2("]" + dtype_call("f8") + state + "ba"));
    };
    EXPECT_TRUE(
        contains(state_error(tuple_of({int1(4), str("<"), dtype_state3_tail})), "would not write"));
    EXPECT_TRUE(
        contains(state_error(tuple_of({int1(3), str("<"), "NNN" + int4(8) + int4(-1) + int1(0)})),
                 "would not write"));
    EXPECT_TRUE(
        contains(state_error(tuple_of({int1(3), str("|"), "NNN" + int4(-1) + int4(-1) + int1(63)})),
                 "would not write"));
    EXPECT_TRUE(contains(state_error(tuple_of({int1(3), str("<"), "NNN" + int4(-1)})), "8-tuple"));
    EXPECT_TRUE(contains(state_error(int1(3)), "got int"));
    // BUILD of the dtype twice.
    EXPECT_TRUE(contains(error_of(pickle2(dtype_of("f8", "<") +
                                          tuple_of({int1(3), str("<"), dtype_state3_tail}) + "b")),
                         "twice"));
}

TEST(NumpyPickle, BuildOnAnythingElseIsRefused) {
    EXPECT_TRUE(contains(error_of(pickle2("}}b")), "unsupported opcode BUILD on a dict"));
    EXPECT_TRUE(contains(error_of(pickle2("])b")), "unsupported opcode BUILD on a list"));
    EXPECT_TRUE(contains(error_of(pickle2(int1(1) + ")b")), "unsupported opcode BUILD on a int"));
    EXPECT_TRUE(contains(error_of(pickle2(global("__builtin__", "set") + ")b")),
                         "BUILD on global __builtin__.set"));
    EXPECT_TRUE(contains(error_of(pickle2(global("numpy", "ndarray") + ")b")),
                         "BUILD on global numpy.ndarray"));
    EXPECT_TRUE(contains(error_of(pickle2("b")), "stack underflow"));
    EXPECT_TRUE(contains(error_of(pickle2(")b")), "stack underflow"));
    // The state is a global (a marker that is not an argument tuple).
    EXPECT_TRUE(contains(error_of(pickle2(reconstruct() + global("__builtin__", "set") + "b")),
                         "used as a value"));
}

TEST(NumpyPickle, FrombufferAndScalarWithOtherArgumentsAreRefused) {
    const std::string fb = global("numpy.core.numeric", "_frombuffer");
    const std::string dt = dtype_of("i4", "<");
    auto fb_error = [&](const std::vector<std::string>& args) {
        return error_of("\x80\x05" + fb + tuple_of(args) + "R.");
    };
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), dt, shape_2x2}), "3 arguments"));
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), dt, shape_2x2, str("X")}), "order"));
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), dt, shape_2x2, str("c")}), "order"));
    EXPECT_TRUE(contains(fb_error({str("abcd"), dt, shape_2x2, str("C")}), "not bytes"));
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), str("i4"), shape_2x2, str("C")}), "numpy dtype"));
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), dt, "]", str("C")}), "shape tuple"));
    EXPECT_TRUE(contains(fb_error({raw(i4_2x2), dt, int1(5) + "\x85", str("C")}), "needs 20"));
    const std::string sc = global("numpy.core.multiarray", "scalar");
    auto sc_error = [&](const std::string& args) { return error_of(pickle2(sc + args + "R")); };
    EXPECT_TRUE(contains(sc_error(dt + "\x85"), "1 arguments"));
    EXPECT_TRUE(contains(sc_error(dt + raw("\1\2\3") + "\x86"), "needs 4"));
    EXPECT_TRUE(contains(sc_error(dt + str("abcd") + "\x86"), "not bytes"));
    EXPECT_TRUE(contains(sc_error(raw("\1\2\3\4") + dt + "\x86"), "numpy dtype"));
    // Other numpy globals stay forbidden.
    EXPECT_TRUE(
        contains(error_of(pickle2(global("numpy", "load") + ")R")), "forbidden global numpy.load"));
    EXPECT_TRUE(contains(error_of(pickle2(global("numpy.core.multiarray", "frombuffer") + ")R")),
                         "forbidden global"));
}

TEST(NumpyPickle, TruncationAnywhereIsInvalidPickle) {
    const std::string good = good_array();
    for (std::size_t n = 0; n < good.size(); ++n)
        EXPECT_FALSE(error_of(good.substr(0, n)).empty()) << "prefix " << n;
    const std::string written = pk::dumps(pk::loads(good));
    for (std::size_t n = 0; n < written.size(); ++n)
        EXPECT_FALSE(error_of(written.substr(0, n)).empty()) << "prefix " << n;
}

TEST(NumpyPickle, CopiesOfArraysShareTheirBytesSoTheCopyBudgetHolds) {
    // One 1 MiB array fetched 1000 times: the copies share the immutable bytes, so loading
    // costs about one array, and a budget far below 1000 MiB admits it.
    const std::string data(1 << 20, '\x01');
    std::string body = "]" +
                       array_of("J" + le32(1 << 20) + "\x85", dtype_of("u1", "|"), false, data) +
                       "q\x01"
                       "a(";
    for (int i = 0; i < 1000; ++i)
        body += "h\x01";
    body += "e";
    pk::read_options o;
    o.copy_budget_min = 1 << 20;
    o.copy_budget_per_input_byte = 1;
    const ff::value v = pk::loads(pickle2(body), {}, o);
    ASSERT_EQ(v.get<ff::list>().size(), 1001u);
    EXPECT_EQ(v.get<ff::list>()[1000].get<ff::ndarray>().data().data(),
              v.get<ff::list>()[0].get<ff::ndarray>().data().data());
}
