#pragma once
// Test helpers: deterministic arrays of every dtype, raw byte files for Python to compare
// against, and a FILE_PROTOCOL over a thread pool.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/serializer.hpp"

namespace ff_test {

namespace ff = functionfuse;

inline const std::vector<ff::dtype>& all_dtypes() {
    static const std::vector<ff::dtype> v = {
        ff::dtype::bool_,  ff::dtype::int8,    ff::dtype::int16,  ff::dtype::int32,
        ff::dtype::int64,  ff::dtype::uint8,   ff::dtype::uint16, ff::dtype::uint32,
        ff::dtype::uint64, ff::dtype::float32, ff::dtype::float64};
    return v;
}

/// An array whose element i is a dtype-specific pattern of i (bools are 0/1; signed
/// values go negative; floats have fractions), so byte mix-ups show.
inline ff::chunked_array pattern_array(ff::dtype t, ff::chunked_array::shape_type shape,
                                       ff::chunked_array::shape_type chunks,
                                       std::uint64_t seed = 0) {
    auto a = ff::chunked_array::zeros(t, std::move(shape), std::move(chunks));
    std::byte* p = a.mutable_data();
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::uint64_t k = i + seed * 1000003;
        auto put = [&](auto v) { std::memcpy(p + i * sizeof(v), &v, sizeof(v)); };
        switch (t) {
            case ff::dtype::bool_:
                put(static_cast<std::uint8_t>(k % 3 == 0));
                break;
            case ff::dtype::int8:
                put(static_cast<std::int8_t>(k * 7 - 100));
                break;
            case ff::dtype::int16:
                put(static_cast<std::int16_t>(k * 77 - 3000));
                break;
            case ff::dtype::int32:
                put(static_cast<std::int32_t>(k * 7919 - 1000000));
                break;
            case ff::dtype::int64:
                put(static_cast<std::int64_t>(k * 1000000007ull) - (std::int64_t{1} << 40));
                break;
            case ff::dtype::uint8:
                put(static_cast<std::uint8_t>(k * 13));
                break;
            case ff::dtype::uint16:
                put(static_cast<std::uint16_t>(k * 257));
                break;
            case ff::dtype::uint32:
                put(static_cast<std::uint32_t>(k * 2654435761u));
                break;
            case ff::dtype::uint64:
                put(static_cast<std::uint64_t>(k * 0x9E3779B97F4A7C15ull));
                break;
            case ff::dtype::float32:
                put(static_cast<float>(k) * 0.25f - 7.5f);
                break;
            case ff::dtype::float64:
                put(static_cast<double>(k) * 0.125 - 1e6);
                break;
        }
    }
    return a;
}

/// Writes the array's raw C-order bytes to `path` (numpy.fromfile reads them).
inline void write_raw(const ff::chunked_array& a, const std::filesystem::path& path) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(a.data()), static_cast<std::streamsize>(a.nbytes()));
}

/// Reads a whole file.
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Python tuple syntax for a shape: "()", "(3,)", "(3, 4)".
inline std::string py_shape(const ff::chunked_array::shape_type& s) {
    return ff::to_string(s);
}

}  // namespace ff_test
