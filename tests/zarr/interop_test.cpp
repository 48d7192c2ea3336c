// Interop with the real zarr-python 2.13 and numcodecs 0.11 of Debian (/usr/bin/python3):
// codec bytes in both directions, and whole directory-store arrays in both directions.

#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "formats/zarr/python_json.hpp"
#include "dir_store.hpp"
#include "python.hpp"
#include "temp_dir.hpp"

namespace zarr = functionfuse::zarr;
using zarr_test::read_file;
using zarr_test::write_file;

namespace {

std::vector<std::optional<zarr::codec_config>> interop_configs() {
    std::vector<std::optional<zarr::codec_config>> out{
        std::nullopt,
        zarr::default_compressor(),
        zarr::zlib_compressor(1),
        zarr::zlib_compressor(9),
        zarr::gzip_compressor(1),
        zarr::gzip_compressor(9),
        zarr::zstd_compressor(1),
        zarr::zstd_compressor(5),
        zarr::zstd_compressor(-1),
    };
    for (const char* cname : {"lz4", "lz4hc", "blosclz", "zstd", "zlib"})
        for (int shuffle : {-1, 0, 1, 2})
            out.push_back(zarr::blosc_compressor(cname, 5, shuffle));
    out.push_back(zarr::blosc_compressor("lz4", 1, 1, 2048));
    return out;
}

// A .zarray carrying `config` so Python reads the config with json (and we test to_json).
zarr::array_metadata carrier(const std::optional<zarr::codec_config>& config, std::size_t n) {
    zarr::array_metadata m;
    m.shape = {n};
    m.chunks = {n};
    m.dtype = zarr::dtype_of<double>();
    m.compressor = config;
    return m;
}

std::vector<std::byte> sample_doubles(std::size_t n) {
    std::vector<double> v(n);
    std::mt19937 rng(3);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = i < n / 2 ? static_cast<double>(i % 100) : std::ldexp(double(rng()), -20);
    std::vector<std::byte> out(n * 8);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

void expect_python_ok(const ff_test::python_result& r) {
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
}

}  // namespace

TEST(ZarrInterop, NumcodecsDecodesOurChunks) {
    ff_test::temp_dir dir;
    const std::size_t n = 20000;
    auto raw = sample_doubles(n);
    write_file(dir.path() / "raw.bin",
               std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    auto configs = interop_configs();
    for (std::size_t i = 0; i < configs.size(); ++i) {
        auto m = carrier(configs[i], n);
        write_file(dir.path() / (std::to_string(i) + ".zarray"), zarr::to_json(m));
        write_file(dir.path() / (std::to_string(i) + ".enc"), zarr::encode_chunk(m, raw));
    }
    auto r = ff_test::run_python(R"(
import json, os, sys, numcodecs
d = sys.argv[1]
raw = open(os.path.join(d, 'raw.bin'), 'rb').read()
i = 0
while os.path.exists(os.path.join(d, '%d.zarray' % i)):
    cfg = json.load(open(os.path.join(d, '%d.zarray' % i)))['compressor']
    enc = open(os.path.join(d, '%d.enc' % i), 'rb').read()
    dec = enc if cfg is None else numcodecs.get_codec(cfg).decode(enc)
    assert bytes(dec) == raw, ('mismatch', cfg)
    i += 1
assert i >= 20, i
print('OK', i)
)",
                                 dir.path().string());
    expect_python_ok(r);
}

TEST(ZarrInterop, WeDecodeNumcodecsChunks) {
    ff_test::temp_dir dir;
    const std::size_t n = 20000;
    auto raw = sample_doubles(n);
    write_file(dir.path() / "raw.bin",
               std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    auto configs = interop_configs();
    for (std::size_t i = 0; i < configs.size(); ++i)
        write_file(dir.path() / (std::to_string(i) + ".zarray"),
                   zarr::to_json(carrier(configs[i], n)));
    auto r = ff_test::run_python(R"(
import json, os, sys, numcodecs, numpy as np
d = sys.argv[1]
raw = np.frombuffer(open(os.path.join(d, 'raw.bin'), 'rb').read(), dtype='<f8')
i = 0
while os.path.exists(os.path.join(d, '%d.zarray' % i)):
    cfg = json.load(open(os.path.join(d, '%d.zarray' % i)))['compressor']
    enc = raw.tobytes() if cfg is None else numcodecs.get_codec(cfg).encode(raw)
    open(os.path.join(d, '%d.py' % i), 'wb').write(bytes(enc))
    i += 1
print('OK', i)
)",
                                 dir.path().string());
    expect_python_ok(r);
    for (std::size_t i = 0; i < configs.size(); ++i) {
        auto m = carrier(configs[i], n);
        std::vector<std::byte> out(raw.size());
        zarr::decode_chunk_into(m, read_file(dir.path() / (std::to_string(i) + ".py")), out,
                                std::to_string(i));
        EXPECT_EQ(out, raw) << zarr::to_json(m);
    }
}

namespace {

// Arrays zarr-python writes; each also writes <name>.expected (native-order bytes of z[...]).
const char* python_writer = R"(
import sys, os, numpy as np, zarr, numcodecs
d = sys.argv[1]
def make(name, shape, chunks, dtype, fill, compressor='default', region=None, sep=None, values=None):
    kw = dict(mode='w', shape=shape, chunks=chunks, dtype=dtype, fill_value=fill)
    if compressor != 'default':
        kw['compressor'] = compressor
    if sep:
        kw['dimension_separator'] = sep
    z = zarr.open(os.path.join(d, name), **kw)
    n = int(np.prod(shape))
    base = np.arange(n).reshape(shape)
    if np.dtype(dtype).kind == 'b':
        data = (base % 3 == 0)
    elif np.dtype(dtype).kind == 'f':
        data = base * 0.25 - 7
    else:
        data = base % 97 + 1
    region = region if region is not None else tuple(slice(None) for _ in shape)
    z[region] = data[region]
    out = z[...]
    out.astype(out.dtype.newbyteorder('=')).tofile(os.path.join(d, name + '.expected'))
make('f8_default_nan', (13, 17), (4, 5), '<f8', np.nan, region=(slice(0, 6), slice(None)))
make('i4_zstd', (10, 3, 7), (3, 2, 4), '<i4', -5, numcodecs.Zstd(level=3), region=(slice(2, 9),))
make('b1_zlib', (9, 11), (4, 4), '|b1', True, numcodecs.Zlib(level=1), region=(slice(0, 5), slice(3, 11)))
make('u1_gzip', (100,), (7,), '|u1', 9, numcodecs.GZip(level=5), region=(slice(10, 90),))
make('f4_blosc_zstd_bit', (33, 8), (10, 8), '<f4', np.inf, numcodecs.Blosc(cname='zstd', clevel=3, shuffle=2), region=(slice(0, 25),))
make('f8_big_endian', (20,), (6,), '>f8', -np.inf)
make('u8_none', (5, 5), (2, 3), '<u8', 2**64 - 1, None, region=(slice(1, 4), slice(1, 4)))
make('i2_slash', (6, 6), (4, 4), '<i2', 3, numcodecs.Zstd(level=1), sep='/', region=(slice(0, 2),))
make('f8_scalar', (), (), '<f8', 0.5)
make('i8_empty', (0, 5), (2, 2), '<i8', 0, numcodecs.Zlib(level=1))
make('i1_blosc_lz4hc', (50,), (16,), '|i1', -1, numcodecs.Blosc(cname='lz4hc', clevel=5, shuffle=-1))
make('u2_blosclz', (30, 4), (7, 3), '<u2', 0, numcodecs.Blosc(cname='blosclz', shuffle=0))
print('OK')
)";

const std::vector<std::string> python_arrays{
    "f8_default_nan", "i4_zstd",  "b1_zlib",   "u1_gzip",  "f4_blosc_zstd_bit", "f8_big_endian",
    "u8_none",        "i2_slash", "f8_scalar", "i8_empty", "i1_blosc_lz4hc",    "u2_blosclz"};

}  // namespace

TEST(ZarrInterop, WeReadArraysZarrPythonWrote) {
    ff_test::temp_dir dir;
    expect_python_ok(ff_test::run_python(python_writer, dir.path().string()));
    for (const auto& name : python_arrays) {
        SCOPED_TRACE(name);
        auto a = zarr_test::read_array(dir.path() / name);
        std::string expected = read_file(dir.path() / (name + ".expected"));
        ASSERT_EQ(a.data.size(), expected.size());
        EXPECT_EQ(std::memcmp(a.data.data(), expected.data(), expected.size()), 0);
        // zarr-python's own .zarray parses back to the same text through our writer, except
        // that zarr-python omits "dimension_separator" when it was not given.
        std::string text = read_file(dir.path() / name / ".zarray");
        std::string ours = zarr::to_json(a.meta);
        if (text.find("dimension_separator") == std::string::npos)
            ours.erase(ours.find("    \"dimension_separator\": \".\",\n"), 32);
        EXPECT_EQ(ours, text);
    }
    // A region read touches only the chunks it needs and equals the slice of the whole.
    auto whole = zarr_test::read_array(dir.path() / "i4_zstd");
    zarr::region r{{1, 1, 2}, {8, 2, 4}};
    auto part = zarr_test::read_region(dir.path() / "i4_zstd", whole.meta, r);
    std::vector<std::byte> want(part.size());
    zarr::array_metadata as_one_chunk = whole.meta;
    as_one_chunk.chunks = as_one_chunk.shape;  // treat the whole array as one chunk
    zarr::copy_chunk_to_region(as_one_chunk, whole.data, zarr::chunk_index{0, 0, 0}, r, want);
    EXPECT_EQ(part, want);
    EXPECT_EQ(zarr::chunks_for_region(whole.meta, r).size(), 3u * 2 * 2);  // of 4 * 2 * 2
}

TEST(ZarrInterop, ACorruptChunkFromZarrPythonNamesTheKey) {
    ff_test::temp_dir dir;
    expect_python_ok(ff_test::run_python(python_writer, dir.path().string()));
    auto path = dir.path() / "i4_zstd" / "1.0.0";
    std::string bytes = read_file(path);
    write_file(path, bytes.substr(0, bytes.size() - 3));
    try {
        zarr_test::read_array(dir.path() / "i4_zstd");
        ADD_FAILURE() << "no error";
    } catch (const zarr::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt zarr chunk at " + path.string() + ": zstd"),
                  std::string::npos)
            << e.what();
    }
}

namespace {

struct our_array {
    std::string name;
    zarr::array_metadata meta;
};

// Element i of array data, by dtype (the same formula for every array).
std::vector<std::byte> our_data(const zarr::array_metadata& m) {
    std::uint64_t n = zarr::element_count(m.shape);
    std::vector<std::byte> out(n * m.dtype.itemsize());
    for (std::uint64_t i = 0; i < n; ++i) {
        std::byte* p = out.data() + i * m.dtype.itemsize();
        auto put = [&](auto v) { std::memcpy(p, &v, sizeof v); };
        switch (m.dtype.type) {
            case zarr::data_type::boolean:
                put(static_cast<std::uint8_t>(i % 3 == 1));
                break;
            case zarr::data_type::int8:
                put(static_cast<std::int8_t>(i % 200 - 100));
                break;
            case zarr::data_type::int16:
                put(static_cast<std::int16_t>(i * 31 - 500));
                break;
            case zarr::data_type::int32:
                put(static_cast<std::int32_t>(i * 7919 - 100000));
                break;
            case zarr::data_type::int64:
                put(static_cast<std::int64_t>(i) * -123456789011LL);
                break;
            case zarr::data_type::uint8:
                put(static_cast<std::uint8_t>(i * 13));
                break;
            case zarr::data_type::uint16:
                put(static_cast<std::uint16_t>(i * 257));
                break;
            case zarr::data_type::uint32:
                put(static_cast<std::uint32_t>(i * 2654435761u));
                break;
            case zarr::data_type::uint64:
                put(~static_cast<std::uint64_t>(i));
                break;
            case zarr::data_type::float32:
                put(static_cast<float>(i) / 3.0f - 1.0f);
                break;
            case zarr::data_type::float64:
                put(i % 11 == 5 ? std::nan("") : static_cast<double>(i) * 0.1 - 2.5);
                break;
        }
    }
    return out;
}

zarr::array_metadata meta(zarr::shape_type shape, zarr::shape_type chunks, zarr::dtype dt,
                          zarr::fill_value fill, std::optional<zarr::codec_config> comp,
                          char sep = '.') {
    zarr::array_metadata m;
    m.shape = std::move(shape);
    m.chunks = std::move(chunks);
    m.dtype = dt;
    m.fill_value = fill;
    m.compressor = std::move(comp);
    m.dimension_separator = sep;
    return m;
}

}  // namespace

TEST(ZarrInterop, ZarrPythonReadsArraysWeWrote) {
    using dt = zarr::data_type;
    using bo = zarr::byte_order;
    const double nan = std::nan(""), inf = INFINITY;
    std::vector<our_array> arrays{
        {"f8_nan",
         meta({13, 17}, {4, 5}, {dt::float64, bo::little}, nan, zarr::default_compressor())},
        {"f4_inf",
         meta({9, 4, 5}, {4, 4, 2}, {dt::float32, bo::little}, -inf, zarr::zstd_compressor(3))},
        {"b1_true",
         meta({9, 11}, {4, 4}, {dt::boolean, bo::little}, true, zarr::zlib_compressor(1))},
        {"b1_false", meta({20}, {6}, {dt::boolean, bo::little}, false, zarr::default_compressor())},
        {"i1", meta({50}, {16}, {dt::int8, bo::little}, std::int64_t{-1},
                    zarr::blosc_compressor("lz4hc", 5, -1))},
        {"i2_be",
         meta({6, 7}, {4, 4}, {dt::int16, bo::big}, std::int64_t{3}, zarr::gzip_compressor(5))},
        {"i4", meta({10, 3, 7}, {3, 2, 4}, {dt::int32, bo::little}, std::int64_t{-5},
                    zarr::blosc_compressor("zstd", 3, 2))},
        {"i8", meta({25}, {10}, {dt::int64, bo::little}, std::int64_t{INT64_MIN},
                    zarr::blosc_compressor("blosclz", 5, 0))},
        {"u1",
         meta({100}, {7}, {dt::uint8, bo::little}, std::int64_t{9}, zarr::gzip_compressor(1))},
        {"u2", meta({30, 4}, {7, 3}, {dt::uint16, bo::little}, std::monostate{},
                    zarr::zlib_compressor(9))},
        {"u4", meta({12}, {5}, {dt::uint32, bo::little}, std::int64_t{7}, std::nullopt)},
        {"u8", meta({5, 5}, {2, 3}, {dt::uint64, bo::little}, std::uint64_t{UINT64_MAX},
                    zarr::zstd_compressor(1))},
        {"f8_be_slash",
         meta({8, 9}, {3, 4}, {dt::float64, bo::big}, 1e20, zarr::default_compressor(), '/')},
        {"f8_scalar", meta({}, {}, {dt::float64, bo::little}, 0.5, zarr::default_compressor())},
        {"i4_empty",
         meta({0, 5}, {2, 2}, {dt::int32, bo::little}, std::int64_t{0}, zarr::zlib_compressor(1))},
    };
    ff_test::temp_dir dir;
    for (const auto& a : arrays) {
        auto data = our_data(a.meta);
        // Chunk 0 is left unwritten where there are several: zarr-python must read fill_value.
        // (Not with a null fill: zarr-python then leaves missing chunks uninitialized.)
        bool skip_first = zarr::chunk_count(a.meta) > 1 &&
                          !std::holds_alternative<std::monostate>(a.meta.fill_value);
        zarr_test::write_array(dir.path() / a.name, a.meta, data, [&](const zarr::chunk_index& c) {
            return skip_first && std::all_of(c.begin(), c.end(), [](auto x) { return x == 0; });
        });
        auto expected = data;
        if (skip_first) {
            std::vector<std::byte> fill(zarr::chunk_byte_size(a.meta));
            zarr::fill_with_fill_value(a.meta, fill);
            zarr::insert_chunk(a.meta, fill, zarr::chunk_index(a.meta.rank(), 0), expected);
        }
        write_file(
            dir.path() / (a.name + ".expected"),
            std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()));
        // Our reader agrees with our writer too.
        auto back = zarr_test::read_array(dir.path() / a.name);
        EXPECT_EQ(back.data, expected) << a.name;
    }
    auto r = ff_test::run_python(R"(
import sys, os, json, numpy as np, zarr
d = sys.argv[1]
names = sys.argv[2:]
for name in names:
    z = zarr.open(os.path.join(d, name), mode='r')
    got = z[...]
    want = np.fromfile(os.path.join(d, name + '.expected'), dtype=z.dtype.newbyteorder('=')).reshape(z.shape)
    assert got.dtype == z.dtype, (name, got.dtype)
    if z.dtype.kind == 'f':
        assert np.array_equal(got, want, equal_nan=True), (name, got, want)
    else:
        assert np.array_equal(got, want), (name, got, want)
    # zarr-python writing the same metadata gives the same .zarray bytes (except for 0-d
    # arrays, whose compressor zarr-python always drops to null).
    if z.shape == ():
        continue
    meta = json.load(open(os.path.join(d, name, '.zarray')))
    ref = os.path.join(d, name + '.ref')
    fill = meta['fill_value']
    z2 = zarr.open(ref, mode='w', shape=z.shape, chunks=z.chunks, dtype=z.dtype,
                   fill_value=z.fill_value, compressor=z.compressor,
                   dimension_separator=meta['dimension_separator'])
    a = open(os.path.join(d, name, '.zarray')).read()
    b = open(os.path.join(ref, '.zarray')).read()
    assert a == b, (name, a, b)
print('OK', len(names))
)",
                                 dir.path().string() + " " + [&] {
                                     std::string s;
                                     for (const auto& a : arrays)
                                         s += a.name + " ";
                                     return s;
                                 }());
    expect_python_ok(r);
}

TEST(ZarrInterop, FloatReprMatchesCPython) {
    ff_test::temp_dir dir;
    std::mt19937_64 rng(11);
    std::vector<double> values{0.1, 1e16, 1e-5, 123.456, 5e-324, 1.7976931348623157e308};
    for (int i = 0; i < 3000; ++i) {
        std::uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, 8);
        if (std::isfinite(d))
            values.push_back(d);
        values.push_back(
            std::ldexp(static_cast<double>(rng() % 100000), static_cast<int>(rng() % 80) - 40));
    }
    std::string bin(reinterpret_cast<const char*>(values.data()), values.size() * 8);
    write_file(dir.path() / "values.bin", bin);
    auto r = ff_test::run_python(R"(
import sys, struct, os
d = sys.argv[1]
data = open(os.path.join(d, 'values.bin'), 'rb').read()
vals = struct.unpack('<%dd' % (len(data) // 8), data)
open(os.path.join(d, 'repr.txt'), 'w').write('\n'.join(repr(v) for v in vals))
print('OK')
)",
                                 dir.path().string());
    expect_python_ok(r);
    std::istringstream lines(read_file(dir.path() / "repr.txt"));
    std::string line;
    for (double v : values) {
        ASSERT_TRUE(std::getline(lines, line));
        ASSERT_EQ(zarr::detail::python_float_repr(v), line);
    }
}
