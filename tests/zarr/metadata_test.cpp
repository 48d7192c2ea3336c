#include "formats/zarr/metadata.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "formats/zarr/python_json.hpp"

namespace zarr = functionfuse::zarr;

namespace {

zarr::array_metadata sample() {
    zarr::array_metadata m;
    m.shape = {5, 7};
    m.chunks = {2, 3};
    m.dtype = zarr::dtype_of<double>();
    m.fill_value = std::numeric_limits<double>::quiet_NaN();
    return m;
}

// Expects parse_zarray(json) to throw format_error whose message contains every `parts`.
void expect_error(const std::string& json, std::initializer_list<std::string> parts) {
    try {
        zarr::parse_zarray(json, "bucket/wf/bigdata/dask_arrays/u1/.zarray");
        ADD_FAILURE() << "no error for " << json;
    } catch (const zarr::format_error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("bucket/wf/bigdata/dask_arrays/u1/.zarray"), std::string::npos) << what;
        for (const auto& p : parts)
            EXPECT_NE(what.find(p), std::string::npos) << what;
    }
}

// A valid .zarray with some keys' values replaced (or removed when the value is empty).
std::string with(std::initializer_list<std::pair<std::string, std::string>> overrides) {
    std::map<std::string, std::string> fields{
        {"chunks", "[2, 3]"},  {"compressor", R"({"id": "zlib", "level": 1})"},
        {"dtype", R"("<i4")"}, {"fill_value", "0"},
        {"filters", "null"},   {"order", R"("C")"},
        {"shape", "[5, 7]"},   {"zarr_format", "2"},
    };
    for (const auto& [key, value] : overrides) {
        if (value.empty())
            fields.erase(key);
        else
            fields[key] = value;
    }
    std::string out = "{";
    for (const auto& [k, v] : fields)
        out += (out.size() > 1 ? ", \"" : "\"") + k + "\": " + v;
    return out + "}";
}
std::string with(const std::string& key, const std::string& value) {
    return with({{key, value}});
}

}  // namespace

TEST(ZarrMetadata, WritesZarrPythonFormatByteForByte) {
    // What zarr-python 2.13 writes for zarr.open(dir, mode='w', shape=(5, 7), chunks=(2, 3),
    // dtype='<f8', fill_value=np.nan, dimension_separator='.').
    const char* expected = R"({
    "chunks": [
        2,
        3
    ],
    "compressor": {
        "blocksize": 0,
        "clevel": 5,
        "cname": "lz4",
        "id": "blosc",
        "shuffle": 1
    },
    "dimension_separator": ".",
    "dtype": "<f8",
    "fill_value": "NaN",
    "filters": null,
    "order": "C",
    "shape": [
        5,
        7
    ],
    "zarr_format": 2
})";
    EXPECT_EQ(zarr::to_json(sample()), expected);
}

TEST(ZarrMetadata, WritesZeroDimensionalAndNullCompressor) {
    zarr::array_metadata m;
    m.dtype = zarr::dtype_of<bool>();
    m.compressor.reset();
    m.fill_value = true;
    EXPECT_EQ(zarr::to_json(m), R"({
    "chunks": [],
    "compressor": null,
    "dimension_separator": ".",
    "dtype": "|b1",
    "fill_value": true,
    "filters": null,
    "order": "C",
    "shape": [],
    "zarr_format": 2
})");
}

TEST(ZarrMetadata, RoundTripsEveryDtypeAndFillKind) {
    struct tcase {
        zarr::dtype dtype;
        zarr::fill_value fill;
        std::string fill_json;
    };
    using dt = zarr::data_type;
    using bo = zarr::byte_order;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<tcase> cases{
        {{dt::boolean, bo::little}, false, "false"},
        {{dt::int8, bo::little}, std::int64_t{-128}, "-128"},
        {{dt::int16, bo::big}, std::int64_t{-2}, "-2"},
        {{dt::int32, bo::little}, std::int64_t{2147483647}, "2147483647"},
        {{dt::int64, bo::little}, std::int64_t{INT64_MIN}, "-9223372036854775808"},
        {{dt::uint8, bo::little}, std::int64_t{255}, "255"},
        {{dt::uint16, bo::little}, std::monostate{}, "null"},
        {{dt::uint32, bo::big}, std::int64_t{7}, "7"},
        {{dt::uint64, bo::little}, std::uint64_t{UINT64_MAX}, "18446744073709551615"},
        {{dt::float32, bo::little}, 0.1, "0.10000000149011612"},
        {{dt::float64, bo::little}, 1e20, "1e+20"},
        {{dt::float64, bo::big}, inf, "\"Infinity\""},
        {{dt::float64, bo::little}, -inf, "\"-Infinity\""},
        {{dt::float64, bo::little}, -0.0, "-0.0"},
    };
    for (const auto& c : cases) {
        zarr::array_metadata m;
        m.shape = {10, 0, 3};
        m.chunks = {4, 1, 3};
        m.dtype = c.dtype;
        m.fill_value = c.fill;
        m.compressor = zarr::zstd_compressor(3);
        std::string json = zarr::to_json(m);
        EXPECT_NE(json.find("\"fill_value\": " + c.fill_json + ","), std::string::npos) << json;
        EXPECT_NE(json.find("\"dtype\": \"" + c.dtype.str() + "\""), std::string::npos);
        auto back = zarr::parse_zarray(json, "k");
        if (c.dtype.type == dt::float32) {
            EXPECT_EQ(std::get<double>(back.fill_value), double(float(0.1)));
            back.fill_value = c.fill;
        }
        EXPECT_EQ(back, m) << json;
        EXPECT_EQ(zarr::to_json(back), json);
    }
}

TEST(ZarrMetadata, ReadsNanFillAndDefaultsAndSlashSeparator) {
    auto m = zarr::parse_zarray(with({{"fill_value", R"("NaN")"}, {"dtype", R"("<f8")"}}), "k");
    EXPECT_TRUE(std::isnan(std::get<double>(m.fill_value)));
    EXPECT_EQ(m.dimension_separator, '.');  // absent: zarr's default
    auto s = with("dimension_separator", R"("/")");
    EXPECT_EQ(zarr::parse_zarray(s, "k").dimension_separator, '/');
    EXPECT_EQ(zarr::parse_zarray(with("filters", "[]"), "k").shape, (zarr::shape_type{5, 7}));
    auto c = zarr::parse_zarray(with("compressor", "null"), "k");
    EXPECT_FALSE(c.compressor.has_value());
    auto z = zarr::parse_zarray(with("compressor", R"({"id": "zlib", "level": 1})"), "k");
    EXPECT_EQ(z.compressor, zarr::zlib_compressor(1));
    // Big-endian dtypes are read (and decoded with a byte swap, see chunk_codec).
    auto be =
        zarr::parse_zarray(with({{"dtype", R"(">f4")"}, {"fill_value", R"("-Infinity")"}}), "k");
    EXPECT_EQ(be.dtype, (zarr::dtype{zarr::data_type::float32, zarr::byte_order::big}));
    EXPECT_EQ(std::get<double>(be.fill_value), -std::numeric_limits<double>::infinity());
}

TEST(ZarrMetadata, EveryMissingKeyIsNamed) {
    for (const char* key : {"chunks", "compressor", "dtype", "fill_value", "filters", "order",
                            "shape", "zarr_format"})
        expect_error(with(key, ""), {"corrupt .zarray", std::string("missing '") + key + "'"});
}

TEST(ZarrMetadata, BadValuesAreNamed) {
    expect_error("{", {"not valid JSON"});
    expect_error("[1, 2]", {"not a JSON object"});
    expect_error(with("zarr_format", "3"), {"unsupported .zarray", "'zarr_format' is 3"});
    expect_error(with("zarr_format", "\"2\""), {"'zarr_format' is not an integer"});
    expect_error(with("shape", "5"), {"'shape' is not a list"});
    expect_error(with("shape", "[5, -7]"), {"'shape[1]' is not a non-negative integer"});
    expect_error(with("shape", "[5, 7.5]"), {"'shape[1]'"});
    expect_error(with("chunks", "[2]"), {"'chunks' has 1 dimensions but 'shape' has 2"});
    expect_error(with("chunks", "[2, 0]"), {"'chunks[1]' is 0"});
    expect_error(with("chunks", "[4294967296, 4294967296]"), {"too large"});
    expect_error(with("dtype", "\"<f2\""), {"unsupported .zarray", "'dtype' \"<f2\""});
    expect_error(with("dtype", "\"|f8\""), {"'dtype' \"|f8\""});
    expect_error(with("dtype", "\"<c16\""), {"'dtype' \"<c16\""});
    expect_error(with("dtype", "8"), {"'dtype' is not a string"});
    expect_error(with("compressor", "5"), {"'compressor' is neither null nor an object"});
    expect_error(with("compressor", R"({"level": 1})"), {"missing 'compressor.id'"});
    expect_error(with("compressor", R"({"id": ""})"), {"'compressor.id'"});
    expect_error(with("compressor", R"({"id": "blosc", "x": [1]})"), {"'compressor.x'"});
    expect_error(with("fill_value", R"("NaN")"), {"'fill_value' \"NaN\"", "<i4"});
    expect_error(with("fill_value", "1.5"), {"'fill_value' 1.5", "<i4"});
    expect_error(with("fill_value", "4294967296"), {"'fill_value'", "<i4"});
    expect_error(with("fill_value", "[0]"), {"'fill_value'"});
    expect_error(with("order", R"("F")"), {"unsupported .zarray", "'order' \"F\""});
    expect_error(with("order", R"("X")"), {"corrupt .zarray", "'order' \"X\""});
    expect_error(with("filters", R"([{"id": "delta", "dtype": "<i4"}])"),
                 {"unsupported .zarray", "'filters' [delta]"});
    expect_error(with("filters", "5"), {"'filters' is neither null nor a list"});
    expect_error(with("dimension_separator", R"("-")"), {"'dimension_separator'"});
}

TEST(ZarrMetadata, ValidateRejectsWhatCannotBeWritten) {
    auto m = sample();
    m.chunks = {2};
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
    m = sample();
    m.chunks = {0, 3};
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
    m = sample();
    m.dtype = zarr::dtype_of<std::uint8_t>();
    m.fill_value = std::int64_t{256};
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
    m.fill_value = std::int64_t{-1};
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
    m.dtype = zarr::dtype_of<double>();
    m.fill_value = true;  // a bool fill for floats is a mistake
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
    m = sample();
    m.dimension_separator = '-';
    EXPECT_THROW(zarr::to_json(m), zarr::format_error);
}

TEST(ZarrMetadata, FillValueBytesAreNativeElements) {
    std::byte b[8];
    zarr::fill_value_bytes(std::int64_t{-2}, zarr::data_type::int16, b);
    std::int16_t s;
    std::memcpy(&s, b, 2);
    EXPECT_EQ(s, -2);
    zarr::fill_value_bytes(std::uint64_t{UINT64_MAX}, zarr::data_type::uint64, b);
    std::uint64_t u;
    std::memcpy(&u, b, 8);
    EXPECT_EQ(u, UINT64_MAX);
    zarr::fill_value_bytes(2.0, zarr::data_type::int32, b);  // integral floats are accepted
    std::int32_t i;
    std::memcpy(&i, b, 4);
    EXPECT_EQ(i, 2);
    zarr::fill_value_bytes(std::int64_t{1}, zarr::data_type::boolean, b);
    EXPECT_EQ(b[0], std::byte{1});
    zarr::fill_value_bytes(std::monostate{}, zarr::data_type::float64, b);
    double d;
    std::memcpy(&d, b, 8);
    EXPECT_EQ(d, 0.0);
    EXPECT_THROW(zarr::fill_value_bytes(std::int64_t{2}, zarr::data_type::boolean, b),
                 zarr::format_error);
}

TEST(ZarrGroup, WritesAndChecksZgroup) {
    EXPECT_EQ(zarr::zgroup_json(), "{\n    \"zarr_format\": 2\n}");
    EXPECT_NO_THROW(zarr::parse_zgroup(zarr::zgroup_json(), "g/.zgroup"));
    EXPECT_THROW(zarr::parse_zgroup("{}", "g/.zgroup"), zarr::format_error);
    EXPECT_THROW(zarr::parse_zgroup(R"({"zarr_format": 3})", "g/.zgroup"), zarr::format_error);
    try {
        zarr::parse_zgroup("nope", "g/.zgroup");
        ADD_FAILURE();
    } catch (const zarr::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt .zgroup at g/.zgroup"), std::string::npos);
    }
}

TEST(ZarrDtype, ParsesAndFormats) {
    zarr::dtype d;
    for (const char* s :
         {"|b1", "|i1", "<i2", ">i2", "<i4", "<i8", "|u1", "<u2", ">u4", "<u8", "<f4", ">f8"}) {
        ASSERT_TRUE(zarr::parse_dtype(s, d)) << s;
        EXPECT_EQ(d.str(), s);
    }
    EXPECT_TRUE(zarr::parse_dtype("<u1", d));
    EXPECT_EQ(d.str(), "|u1");
    for (const char* s : {"", "<f2", "<f16", "|i4", "=f8", "<U8", "<c8", "f8", "<f8 "})
        EXPECT_FALSE(zarr::parse_dtype(s, d)) << s;
    EXPECT_EQ(zarr::dtype_of<std::uint16_t>().itemsize(), 2u);
}

TEST(ZarrPythonJson, FloatReprMatchesPython) {
    using zarr::detail::python_float_repr;
    EXPECT_EQ(python_float_repr(0.0), "0.0");
    EXPECT_EQ(python_float_repr(-0.0), "-0.0");
    EXPECT_EQ(python_float_repr(0.1), "0.1");
    EXPECT_EQ(python_float_repr(1.5), "1.5");
    EXPECT_EQ(python_float_repr(100.0), "100.0");
    EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
    EXPECT_EQ(python_float_repr(1e16), "1e+16");
    EXPECT_EQ(python_float_repr(1.5e16), "1.5e+16");
    EXPECT_EQ(python_float_repr(0.0001), "0.0001");
    EXPECT_EQ(python_float_repr(0.00001), "1e-05");
    EXPECT_EQ(python_float_repr(-1.25e-7), "-1.25e-07");
    EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(python_float_repr(5e-324), "5e-324");
    EXPECT_EQ(python_float_repr(123456.789), "123456.789");
}

TEST(ZarrPythonJson, EscapesLikeEnsureAscii) {
    using namespace zarr::detail;
    py_json_object o;
    o.emplace_back("b", py_json{std::string("q\"\\\n\x01\xc3\xa9\xf0\x9f\x98\x80")});
    o.emplace_back("a", py_json{py_json_object{}});
    EXPECT_EQ(python_json_dumps(py_json{o}),
              "{\n    \"a\": {},\n    \"b\": \"q\\\"\\\\\\n\\u0001\\u00e9\\ud83d\\ude00\"\n}");
}

// zarr-python reads numbers with CPython's correctly rounded float parser; so must we, or a
// fill value or codec parameter means a neighbouring double here (Boost.JSON 1.81 alone may be
// one ulp off, e.g. for the 70-digit integer the metadata fuzzer found).
TEST(ZarrMetadata, NumbersAreReadCorrectlyRounded) {
    for (const char* text :
         {"6666666666666666666666666666666666666666666666666666666666666666666661.0", "0.1",
          "2.2250738585072011e-308", "1.7976931348623157e308", "9007199254740993.0",
          "123456789012345678901234567890e-10", "4.9406564584124654e-324", "0.30000000000000004",
          "1e23", "8.41e21"}) {
        auto m = zarr::parse_zarray(
            with({{"fill_value", text}, {"dtype", R"("<f8")"}, {"compressor", "null"}}), "k");
        EXPECT_EQ(std::get<double>(m.fill_value), std::strtod(text, nullptr)) << text;
    }
    auto huge = zarr::parse_zarray(
        with(
            "compressor",
            R"({"id": "x", "p": 6666666666666666666666666666666666666666666666666666666666666666666661})"),
        "k");
    EXPECT_EQ(std::get<double>(huge.compressor->params.at("p")),
              std::strtod("6666666666666666666666666666666666666666666666666666666666666666666661",
                          nullptr));
    expect_error(with("fill_value", "1.0 2"), {"not valid JSON"});
}
