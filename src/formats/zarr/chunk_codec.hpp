#pragma once
/// \file
/// Turns full-size chunk buffers (native byte order, `chunk_byte_size(m)` bytes) into the
/// bytes stored under a chunk key and back: byte order of the dtype, then the compressor.
/// This is the piece a storage runs on its thread pool, one call per chunk.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "formats/zarr/codec.hpp"
#include "formats/zarr/metadata.hpp"

namespace functionfuse::zarr {

/// The codec of one array, made once from its metadata.
/// Thread-safety: immutable; `encode` and `decode_into` may run on many threads at once.
class chunk_codec {
  public:
    /// Validates `m` and makes its compressor from `registry`. Throws `format_error` for
    /// invalid metadata and `config_error` (field `compressor.<param>`) for a bad compressor.
    explicit chunk_codec(array_metadata m, const codec_registry& registry = builtin_codecs());

    /// As above, for metadata read from `zarray_key`: every failure, a bad compressor
    /// included, is a `format_error("unsupported .zarray at <zarray_key>: compressor.<param>
    /// ...")` naming the key, as a reader reports a corrupt `.zarray`.
    chunk_codec(array_metadata m, std::string_view zarray_key,
                const codec_registry& registry = builtin_codecs());

    /// The array's metadata.
    const array_metadata& metadata() const noexcept { return meta_; }
    /// Bytes of one decoded chunk.
    std::size_t chunk_size() const noexcept { return chunk_size_; }
    /// True when a chunk is stored exactly as its native bytes (no compressor, native byte
    /// order): `encode` would only copy it.
    bool stores_native_bytes() const noexcept {
        return !meta_.compressor && !meta_.dtype.needs_swap();
    }

    /// The stored bytes of one full chunk given in native byte order.
    /// Throws `functionfuse::error` if `chunk.size() != chunk_size()`, `io_error` if the
    /// compressor fails.
    std::string encode(std::span<const std::byte> chunk) const;

    /// Decodes the stored bytes of chunk `key` into `chunk` (`chunk_size()` bytes, native
    /// order). Throws `format_error("corrupt zarr chunk at <key>: ...")` for corrupt data or a
    /// wrong decoded size; never writes outside `chunk`.
    void decode_into(std::string_view encoded, std::span<std::byte> chunk,
                     std::string_view key) const;

  private:
    array_metadata meta_;
    std::shared_ptr<const codec> codec_;
    std::size_t chunk_size_;
};

/// One-shot `chunk_codec(m).encode(chunk)` (makes the codec each call).
std::string encode_chunk(const array_metadata& m, std::span<const std::byte> chunk);
/// One-shot `chunk_codec(m).decode_into(encoded, chunk, key)`.
void decode_chunk_into(const array_metadata& m, std::string_view encoded,
                       std::span<std::byte> chunk, std::string_view key);

}  // namespace functionfuse::zarr
