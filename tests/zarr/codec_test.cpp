#include "formats/zarr/codec.hpp"

#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "formats/zarr/chunk_codec.hpp"
#include "formats/zarr/geometry.hpp"

namespace zarr = functionfuse::zarr;

namespace {

// Every compressor config the built-in codecs accept that interop cares about.
std::vector<std::optional<zarr::codec_config>> all_configs() {
    std::vector<std::optional<zarr::codec_config>> out{
        std::nullopt,
        zarr::default_compressor(),
        zarr::zlib_compressor(1),
        zarr::zlib_compressor(9),
        zarr::gzip_compressor(5),
        zarr::zstd_compressor(1),
        zarr::zstd_compressor(-3),
        zarr::zstd_compressor(19),
    };
    for (const char* cname : {"lz4", "lz4hc", "blosclz", "zstd", "zlib"})
        for (int shuffle : {-1, 0, 1, 2})
            out.push_back(zarr::blosc_compressor(cname, 3, shuffle));
    out.push_back(zarr::blosc_compressor("lz4", 9, 1, 1024));
    return out;
}

std::string describe(const std::optional<zarr::codec_config>& c) {
    if (!c)
        return "null";
    std::string s = c->id;
    for (const auto& [k, v] : c->params) {
        s += " " + k + "=";
        if (auto* i = std::get_if<std::int64_t>(&v))
            s += std::to_string(*i);
        if (auto* t = std::get_if<std::string>(&v))
            s += *t;
    }
    return s;
}

// Compressible doubles (a smooth ramp) followed by noise, so every codec does real work.
std::vector<std::byte> sample_bytes(std::size_t n) {
    std::vector<std::byte> out(n);
    std::mt19937 rng(42);
    for (std::size_t i = 0; i < n; i += 8) {
        double d = i < n / 2 ? static_cast<double>(i / 8) : static_cast<double>(rng());
        std::memcpy(out.data() + i, &d, std::min<std::size_t>(8, n - i));
    }
    return out;
}

// Random corruptions per codec config; FF_ZARR_FUZZ_ITERATIONS raises it for a sanitizer run.
int fuzz_iterations() {
    const char* env = std::getenv("FF_ZARR_FUZZ_ITERATIONS");
    return env ? std::atoi(env) : 200;
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ZarrCodec, EveryConfigRoundTrips) {
    auto raw = sample_bytes(64 * 1024);
    for (const auto& config : all_configs()) {
        auto codec = zarr::builtin_codecs().make(config);
        EXPECT_EQ(codec->config(), config) << describe(config);
        std::string enc = codec->encode(raw, 8);
        if (config && config->get_int("clevel", 1) != 0) {
            EXPECT_LT(enc.size(), raw.size()) << describe(config);
        }
        std::vector<std::byte> back(raw.size());
        codec->decode(enc, back);
        EXPECT_EQ(back, raw) << describe(config);
    }
}

TEST(ZarrCodec, TinyAndIncompressibleInputsRoundTrip) {
    std::mt19937 rng(7);
    for (std::size_t n : {1u, 3u, 8u, 17u, 4096u}) {
        std::vector<std::byte> raw(n);
        for (auto& b : raw)
            b = static_cast<std::byte>(rng());
        for (const auto& config : all_configs()) {
            auto codec = zarr::builtin_codecs().make(config);
            std::string enc = codec->encode(raw, 1);
            std::vector<std::byte> back(n);
            codec->decode(enc, back);
            EXPECT_EQ(back, raw) << describe(config) << " n=" << n;
        }
    }
}

TEST(ZarrCodec, CorruptInputIsAnErrorNeverACrash) {
    auto raw = sample_bytes(8192);
    for (const auto& config : all_configs()) {
        auto codec = zarr::builtin_codecs().make(config);
        std::string enc = codec->encode(raw, 8);
        std::vector<std::byte> out(raw.size());
        // Truncated, extended, wrong expected size, empty: always format_error.
        EXPECT_THROW(codec->decode(enc.substr(0, enc.size() / 2), out), zarr::format_error)
            << describe(config);
        EXPECT_THROW(codec->decode(std::string_view{}, out), zarr::format_error)
            << describe(config);
        std::vector<std::byte> small(raw.size() - 8), big(raw.size() + 8);
        EXPECT_THROW(codec->decode(enc, small), zarr::format_error) << describe(config);
        EXPECT_THROW(codec->decode(enc, big), zarr::format_error) << describe(config);
        if (config) {  // trailing junk after a compressed stream
            EXPECT_THROW(codec->decode(enc + "junk", out), zarr::format_error) << describe(config);
        }
        // Bit flips anywhere: an error or (if the format cannot tell) some output, but never
        // a write outside `out` (the sanitizer-free check: a guard zone stays intact).
        std::mt19937 rng(1);
        for (int i = 0; i < fuzz_iterations(); ++i) {
            std::string bad = enc;
            bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
            std::vector<std::byte> guarded(raw.size() + 64, std::byte{0x5a});
            try {
                codec->decode(bad, std::span(guarded).first(raw.size()));
            } catch (const zarr::format_error&) {
            }
            for (std::size_t k = raw.size(); k < guarded.size(); ++k)
                ASSERT_EQ(guarded[k], std::byte{0x5a}) << describe(config);
        }
    }
}

TEST(ZarrCodec, RegistryRejectsUnknownIdsAndParams) {
    auto expect_config_error = [](const zarr::codec_config& c, const std::string& field) {
        try {
            zarr::builtin_codecs().make(c);
            ADD_FAILURE() << "no error for " << describe(c);
        } catch (const functionfuse::config_error& e) {
            EXPECT_EQ(e.field(), field) << e.what();
        }
    };
    expect_config_error({"lzma", {}}, "compressor.id");
    expect_config_error(zarr::blosc_compressor("brotli"), "compressor.cname");
    expect_config_error(zarr::blosc_compressor("lz4", 10), "compressor.clevel");
    expect_config_error(zarr::blosc_compressor("lz4", 5, 3), "compressor.shuffle");
    expect_config_error(zarr::blosc_compressor("lz4", 5, 1, -1), "compressor.blocksize");
    expect_config_error(zarr::zlib_compressor(10), "compressor.level");
    expect_config_error(zarr::gzip_compressor(-1), "compressor.level");
    expect_config_error(zarr::zstd_compressor(99), "compressor.level");
    expect_config_error({"zlib", {{"level", std::string("1")}}}, "compressor.level");
    expect_config_error({"zlib", {{"level", std::int64_t{1}}, {"wbits", std::int64_t{9}}}},
                        "compressor.wbits");
    EXPECT_NE(error_of([] {
                  zarr::builtin_codecs().make(zarr::codec_config{"lzma", {}});
              }).find("unknown codec 'lzma'"),
              std::string::npos);
    // zstd's newer "checksum" key is understood and round-trips.
    zarr::codec_config zc{"zstd", {{"level", std::int64_t{3}}, {"checksum", true}}};
    auto z = zarr::builtin_codecs().make(zc);
    EXPECT_EQ(z->config(), zc);
    auto raw = sample_bytes(1000);
    std::vector<std::byte> back(raw.size());
    z->decode(z->encode(raw, 8), back);
    EXPECT_EQ(back, raw);
}

TEST(ZarrCodec, RegistryTakesUserCodecs) {
    struct xor_codec : zarr::codec {
        std::optional<zarr::codec_config> config() const override {
            return zarr::codec_config{"xor", {}};
        }
        std::string encode(std::span<const std::byte> raw, std::size_t) const override {
            std::string s(reinterpret_cast<const char*>(raw.data()), raw.size());
            for (auto& c : s)
                c ^= 0x55;
            return s;
        }
        void decode(std::string_view enc, std::span<std::byte> out) const override {
            if (enc.size() != out.size())
                throw zarr::format_error("xor: size");
            for (std::size_t i = 0; i < out.size(); ++i)
                out[i] = static_cast<std::byte>(enc[i] ^ 0x55);
        }
    };
    zarr::codec_registry reg = zarr::builtin_codecs();
    EXPECT_FALSE(reg.contains("xor"));
    reg.add("xor", [](const zarr::codec_config&) { return std::make_shared<const xor_codec>(); });
    EXPECT_TRUE(reg.contains("xor"));
    EXPECT_TRUE(reg.contains("blosc"));
    zarr::array_metadata m;
    m.shape = {4};
    m.chunks = {4};
    m.dtype = zarr::dtype_of<std::uint8_t>();
    m.compressor = zarr::codec_config{"xor", {}};
    zarr::chunk_codec cc(m, reg);
    std::vector<std::uint8_t> v{1, 2, 3, 4};
    EXPECT_EQ(cc.encode(std::as_bytes(std::span(v))), "TWVQ");
    EXPECT_THROW(zarr::chunk_codec{m}, functionfuse::config_error);  // not in the built-ins
}

TEST(ZarrChunkCodec, BigEndianDtypesAreSwappedOnDisk) {
    zarr::array_metadata m;
    m.shape = {3};
    m.chunks = {3};
    m.dtype = {zarr::data_type::int32, zarr::byte_order::big};
    m.compressor.reset();
    zarr::chunk_codec cc(m);
    std::vector<std::int32_t> v{1, 0x01020304, -1};
    std::string stored = cc.encode(std::as_bytes(std::span(v)));
    EXPECT_EQ(stored, std::string("\0\0\0\1\1\2\3\4\xff\xff\xff\xff", 12));
    std::vector<std::int32_t> back(3);
    cc.decode_into(stored, std::as_writable_bytes(std::span(back)), "a/0");
    EXPECT_EQ(back, v);
}

TEST(ZarrChunkCodec, CorruptChunkErrorNamesTheKey) {
    zarr::array_metadata m;
    m.shape = {100};
    m.chunks = {10};
    m.dtype = zarr::dtype_of<double>();
    zarr::chunk_codec cc(m);
    EXPECT_EQ(cc.chunk_size(), 80u);
    std::vector<double> chunk(10, 1.0);
    std::string enc = cc.encode(std::as_bytes(std::span(chunk)));
    std::string what = error_of([&] {
        cc.decode_into(enc.substr(0, 10), std::as_writable_bytes(std::span(chunk)),
                       "bucket/wf/bigdata/dask_arrays/u/3");
    });
    EXPECT_NE(what.find("corrupt zarr chunk at bucket/wf/bigdata/dask_arrays/u/3: blosc"),
              std::string::npos)
        << what;
    std::vector<double> wrong(9);
    EXPECT_THROW(cc.encode(std::as_bytes(std::span(wrong))), functionfuse::error);
    EXPECT_THROW(cc.decode_into(enc, std::as_writable_bytes(std::span(wrong)), "k"),
                 functionfuse::error);
    m.chunks = {0};
    EXPECT_THROW(zarr::chunk_codec{m}, zarr::format_error);
}

TEST(ZarrChunkCodec, BadCompressorOfAStoredArrayNamesTheKey) {
    zarr::array_metadata m;
    m.shape = {10};
    m.chunks = {10};
    m.compressor = zarr::blosc_compressor("lz4", 42);
    std::string what =
        error_of([&] { zarr::chunk_codec(m, "b/wf/bigdata/dask_arrays/u/.zarray"); });
    EXPECT_NE(what.find("unsupported .zarray at b/wf/bigdata/dask_arrays/u/.zarray"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("compressor.clevel"), std::string::npos) << what;
    m.compressor = zarr::codec_config{"lzma", {}};
    EXPECT_THROW(zarr::chunk_codec(m, "k"), zarr::format_error);
    m.compressor = zarr::zstd_compressor(3);
    EXPECT_EQ(zarr::chunk_codec(m, "k").chunk_size(), 80u);
}

TEST(ZarrChunkCodec, OneCodecServesManyThreads) {
    // The storage compresses chunks on a pool with one chunk_codec per array.
    for (const auto& config :
         {std::optional(zarr::default_compressor()), std::optional(zarr::zstd_compressor(3)),
          std::optional(zarr::gzip_compressor(1))}) {
        zarr::array_metadata m;
        m.shape = {64, 1024};
        m.chunks = {1, 1024};
        m.dtype = zarr::dtype_of<double>();
        m.compressor = config;
        zarr::chunk_codec cc(m);
        std::vector<double> array(64 * 1024);
        for (std::size_t i = 0; i < array.size(); ++i)
            array[i] = static_cast<double>(i % 977);
        std::vector<std::string> single(64), parallel(64);
        std::vector<double> chunk(1024);
        for (std::uint64_t c = 0; c < 64; ++c) {
            zarr::extract_chunk(m, std::as_bytes(std::span(array)), zarr::chunk_index{c, 0},
                                std::as_writable_bytes(std::span(chunk)));
            single[c] = cc.encode(std::as_bytes(std::span(chunk)));
        }
        std::vector<double> rebuilt(array.size());
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                std::vector<double> local(1024);
                for (std::uint64_t c = t; c < 64; c += 4) {
                    zarr::extract_chunk(m, std::as_bytes(std::span(array)), zarr::chunk_index{c, 0},
                                        std::as_writable_bytes(std::span(local)));
                    parallel[c] = cc.encode(std::as_bytes(std::span(local)));
                    cc.decode_into(parallel[c], std::as_writable_bytes(std::span(local)), "k");
                    zarr::insert_chunk(m, std::as_bytes(std::span(local)), zarr::chunk_index{c, 0},
                                       std::as_writable_bytes(std::span(rebuilt)));
                }
            });
        }
        for (auto& t : threads)
            t.join();
        EXPECT_EQ(parallel, single);  // deterministic, no state shared between calls
        EXPECT_EQ(rebuilt, array);
    }
}
