#pragma once
/// \file
/// zarr v2 array (`.zarray`) and group (`.zgroup`) metadata as plain structs, with JSON
/// conversion that matches zarr-python 2.x byte for byte (`json.dumps(indent=4,
/// sort_keys=True, ensure_ascii=True)`, no trailing newline).
///
/// Supported: `zarr_format` 2; dtypes of `dtype.hpp`; `order` "C" (F is an error);
/// `filters` null (or an empty list; anything else is an error naming the filter ids);
/// `dimension_separator` "." (written) and "/" (accepted on read); a `compressor` that is null
/// or any codec config (whether its id is known is checked when a codec is made from it).
/// `fill_value`: numbers, null, `true`/`false`, and for float dtypes the strings "NaN",
/// "Infinity", "-Infinity". A null fill value reads as zeros.
///
/// Pure functions, no I/O; thread-safe (no shared state).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "formats/zarr/dtype.hpp"
#include "formats/zarr/error.hpp"

namespace functionfuse::zarr {

/// An array or chunk shape, one extent per dimension (empty for a 0-d array).
using shape_type = std::vector<std::uint64_t>;

/// The `fill_value` of an array: null, a bool, a signed or unsigned integer, or a double
/// (NaN and infinities included). `std::monostate` is JSON `null`.
using fill_value = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double>;

/// One scalar parameter of a codec config (`"clevel": 5`, `"cname": "lz4"`).
using codec_param = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

/// A codec config as stored in `.zarray`'s `compressor`: the `id` plus its other keys.
/// Kept generic so that any config round-trips; `codec.hpp` turns it into a codec.
struct codec_config {
    std::string id;
    std::map<std::string, codec_param> params;  ///< all keys except "id", sorted

    /// The integer parameter `name`, or `fallback` when absent; throws `config_error`
    /// (field `compressor.<name>`) when present with another type.
    std::int64_t get_int(const std::string& name, std::int64_t fallback) const;
    /// The string parameter `name`, or `fallback` when absent (same errors as `get_int`).
    std::string get_string(const std::string& name, const std::string& fallback) const;
    /// The bool parameter `name`, or `fallback` when absent (same errors as `get_int`).
    bool get_bool(const std::string& name, bool fallback) const;

    friend bool operator==(const codec_config&, const codec_config&) = default;
};

/// zarr-python's default compressor: blosc, cname lz4, clevel 5, shuffle 1 (byte), blocksize 0.
codec_config default_compressor();
/// `{"id": "blosc", ...}`; shuffle: 0 none, 1 byte, 2 bit, -1 auto (bit for 1-byte types).
codec_config blosc_compressor(std::string cname = "lz4", int clevel = 5, int shuffle = 1,
                              int blocksize = 0);
/// `{"id": "zlib", "level": level}` (numcodecs.Zlib: zlib stream).
codec_config zlib_compressor(int level = 1);
/// `{"id": "gzip", "level": level}` (numcodecs.GZip: gzip member).
codec_config gzip_compressor(int level = 1);
/// `{"id": "zstd", "level": level}` (numcodecs.Zstd: one zstd frame).
codec_config zstd_compressor(int level = 1);

/// The contents of a `.zarray`.
struct array_metadata {
    shape_type shape;   ///< array extent per dimension
    shape_type chunks;  ///< chunk extent per dimension, each >= 1
    zarr::dtype dtype;  ///< element type and stored byte order
    std::optional<codec_config> compressor = default_compressor();  ///< nullopt = null
    zarr::fill_value fill_value = 0.0;  ///< value of elements never written
    char dimension_separator = '.';     ///< '.' or '/'

    /// Number of dimensions.
    std::size_t rank() const noexcept { return shape.size(); }

    friend bool operator==(const array_metadata&, const array_metadata&) = default;
};

/// A zero of the right kind for `t`: `false`, `0` or `0.0` (zarr-python's default fill).
fill_value default_fill_value(data_type t) noexcept;

/// Checks `m` is writable and readable: rank of chunks == rank of shape, every chunk extent
/// >= 1, the chunk's byte size fits in memory (blosc's 2 GiB limit is checked by that codec
/// on encode), the fill value fits the dtype, separator is '.' or '/'.
/// Throws `format_error` naming the field; `context` prefixes the message (e.g. the key).
void validate(const array_metadata& m, std::string_view context = "zarr array metadata");

/// The `.zarray` JSON exactly as zarr-python 2.13 writes it (including `"dimension_separator"`,
/// which zarr-python writes whenever one is given explicitly). Float32 fill values are written
/// as the double nearest their float32 value, as zarr-python does. Validates `m` first.
std::string to_json(const array_metadata& m);

/// Parses a `.zarray`. `key` (the object's key or path) is used in error messages only.
/// Throws `format_error`: `"corrupt .zarray at <key>: missing 'chunks'"`,
/// `"unsupported .zarray at <key>: order 'F' (only 'C' is supported)"`, etc.
array_metadata parse_zarray(std::string_view json, std::string_view key);

/// The `.zgroup` JSON zarr-python writes: `{"zarr_format": 2}` indented.
std::string zgroup_json();

/// Checks a `.zgroup` (an object with `zarr_format` 2); throws `format_error` naming `key`.
void parse_zgroup(std::string_view json, std::string_view key);

/// `fill_value` converted to one element of `dtype.type` in native byte order
/// (`dtype.itemsize()` bytes written to `out`). A null fill gives zeros.
/// Throws `format_error` when the value does not fit the type (validate() checks the same).
void fill_value_bytes(const fill_value& v, data_type type, std::byte* out);

}  // namespace functionfuse::zarr
