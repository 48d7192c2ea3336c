#pragma once
// Test helper only: a zarr v2 directory store on top of the pure zarr layer, the way the S3
// storage will use it (metadata, chunk keys, chunk codec), so interop tests can hand arrays to
// and from zarr-python. Not part of the library.

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "formats/zarr/zarr.hpp"

namespace zarr_test {

namespace zarr = functionfuse::zarr;

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Writes `.zarray` and every chunk of `array` (native C order) except those `skip` names.
inline void write_array(const std::filesystem::path& dir, const zarr::array_metadata& m,
                        std::span<const std::byte> array,
                        const std::function<bool(const zarr::chunk_index&)>& skip = {}) {
    zarr::chunk_codec codec(m);
    std::vector<std::byte> chunk(codec.chunk_size());
    for (const auto& idx : zarr::all_chunks(m)) {
        if (skip && skip(idx))
            continue;
        zarr::extract_chunk(m, array, idx, chunk);
        write_file(dir / zarr::chunk_key(m, idx), codec.encode(chunk));
    }
    write_file(dir / ".zarray", zarr::to_json(m));
}

/// Reads the region `r` of the array at `dir` (a missing chunk reads as fill_value).
inline std::vector<std::byte> read_region(const std::filesystem::path& dir,
                                          const zarr::array_metadata& m, const zarr::region& r) {
    zarr::chunk_codec codec(m);
    std::vector<std::byte> out(zarr::element_count(r.count) * m.dtype.itemsize());
    std::vector<std::byte> chunk(codec.chunk_size());
    for (const auto& idx : zarr::chunks_for_region(m, r)) {
        auto path = dir / zarr::chunk_key(m, idx);
        if (std::filesystem::exists(path))
            codec.decode_into(read_file(path), chunk, path.string());
        else
            zarr::fill_with_fill_value(m, chunk);
        zarr::copy_chunk_to_region(m, chunk, idx, r, out);
    }
    return out;
}

struct stored_array {
    zarr::array_metadata meta;
    std::vector<std::byte> data;  // native C order
};

/// Reads `.zarray` and the whole array at `dir`.
inline stored_array read_array(const std::filesystem::path& dir) {
    stored_array a;
    a.meta = zarr::parse_zarray(read_file(dir / ".zarray"), (dir / ".zarray").string());
    a.data.resize(zarr::array_byte_size(a.meta));
    zarr::chunk_codec codec(a.meta, (dir / ".zarray").string());
    std::vector<std::byte> chunk(codec.chunk_size());
    for (const auto& idx : zarr::all_chunks(a.meta)) {
        auto path = dir / zarr::chunk_key(a.meta, idx);
        if (std::filesystem::exists(path))
            codec.decode_into(read_file(path), chunk, path.string());
        else
            zarr::fill_with_fill_value(a.meta, chunk);
        zarr::insert_chunk(a.meta, chunk, idx, a.data);
    }
    return a;
}

}  // namespace zarr_test
