#pragma once
/// \file
/// zarr compressors ("codecs" in numcodecs' terms) and the registry that makes them from a
/// `.zarray` `compressor` config by its `id`.
///
/// Built-in ids (registered explicitly by `builtin_codecs()`):
///  - null compressor (no config): bytes stored as they are;
///  - `zlib` {level 0..9 or -1}: a zlib stream (numcodecs.Zlib);
///  - `gzip` {level 0..9}: a gzip member (numcodecs.GZip; concatenated members are read);
///  - `zstd` {level, checksum?}: one zstd frame with its content size (numcodecs.Zstd);
///  - `blosc` {cname lz4|lz4hc|blosclz|zstd|zlib, clevel 0..9, shuffle -1|0|1|2, blocksize >= 0}:
///    a blosc1 buffer via Debian's libblosc (numcodecs.Blosc); shuffle 0 none, 1 byte,
///    2 bit, -1 bit for 1-byte types and byte otherwise; typesize is the dtype's itemsize.
///
/// Thread-safety: a codec is immutable after construction and keeps no state between calls;
/// one codec may encode and decode on many threads at once (blosc goes through
/// `blosc_compress_ctx`/`blosc_decompress_ctx`, zstd and zlib use per-call contexts).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "formats/zarr/metadata.hpp"

namespace functionfuse::zarr {

/// One compressor with fixed parameters.
class codec {
  public:
    virtual ~codec() = default;

    /// The config this codec writes to `.zarray` (nullopt for the null compressor).
    virtual std::optional<codec_config> config() const = 0;

    /// Compresses `raw`, the stored bytes of one chunk made of `typesize`-byte elements.
    /// Throws `io_error` if the library fails (e.g. input beyond blosc's 2 GiB limit).
    virtual std::string encode(std::span<const std::byte> raw, std::size_t typesize) const = 0;

    /// Decompresses `encoded` into exactly `out.size()` bytes. Throws `format_error` (without
    /// a key; `chunk_codec` adds it) when `encoded` is corrupt or decodes to another size.
    /// Never writes outside `out`.
    virtual void decode(std::string_view encoded, std::span<std::byte> out) const = 0;
};

/// Makes a codec from a config whose `id` the factory was registered under. Throws
/// `config_error` (field `compressor.<param>`) for invalid or unknown parameters.
using codec_factory = std::function<std::shared_ptr<const codec>(const codec_config&)>;

/// Codec factories by `id`. A copyable value: start from `builtin_codecs()` and `add` more.
/// Thread-safety: `make` and `contains` are safe concurrently; `add` is not.
class codec_registry {
  public:
    /// Registers (or replaces) the factory for `id`.
    void add(std::string id, codec_factory factory);
    /// Whether `id` has a factory.
    bool contains(std::string_view id) const;
    /// The codec for `config` (nullopt = the null compressor, stored bytes as they are).
    /// Throws `config_error` naming `compressor.id` for an unknown id, or a parameter.
    std::shared_ptr<const codec> make(const std::optional<codec_config>& config) const;

  private:
    std::map<std::string, codec_factory, std::less<>> factories_;
};

/// The registry with the built-in codecs (created once, on first use; thread-safe).
const codec_registry& builtin_codecs();

/// The null compressor (shared, immutable).
std::shared_ptr<const codec> null_codec();

}  // namespace functionfuse::zarr
