#include "formats/zarr/chunk_codec.hpp"

#include <vector>

#include "formats/zarr/geometry.hpp"

namespace functionfuse::zarr {

chunk_codec::chunk_codec(array_metadata m, const codec_registry& registry) : meta_(std::move(m)) {
    validate(meta_);
    codec_ = registry.make(meta_.compressor);
    chunk_size_ = chunk_byte_size(meta_);
}

chunk_codec::chunk_codec(array_metadata m, std::string_view zarray_key,
                         const codec_registry& registry)
    : meta_(std::move(m)) {
    validate(meta_, "corrupt .zarray at " + std::string(zarray_key));
    try {
        codec_ = registry.make(meta_.compressor);
    } catch (const config_error& e) {
        throw format_error("unsupported .zarray at " + std::string(zarray_key) + ": " + e.what());
    }
    chunk_size_ = chunk_byte_size(meta_);
}

std::string chunk_codec::encode(std::span<const std::byte> chunk) const {
    if (chunk.size() != chunk_size_)
        throw error("zarr: chunk buffer has " + std::to_string(chunk.size()) + " bytes, expected " +
                    std::to_string(chunk_size_));
    if (!meta_.dtype.needs_swap())
        return codec_->encode(chunk, meta_.dtype.itemsize());
    std::vector<std::byte> stored(chunk.begin(), chunk.end());
    swap_bytes(stored, meta_.dtype.itemsize());
    return codec_->encode(stored, meta_.dtype.itemsize());
}

void chunk_codec::decode_into(std::string_view encoded, std::span<std::byte> chunk,
                              std::string_view key) const {
    if (chunk.size() != chunk_size_)
        throw error("zarr: chunk buffer has " + std::to_string(chunk.size()) + " bytes, expected " +
                    std::to_string(chunk_size_));
    try {
        codec_->decode(encoded, chunk);
    } catch (const format_error& e) {
        throw format_error("corrupt zarr chunk at " + std::string(key) + ": " + e.what());
    }
    if (meta_.dtype.needs_swap())
        swap_bytes(chunk, meta_.dtype.itemsize());
}

std::string encode_chunk(const array_metadata& m, std::span<const std::byte> chunk) {
    return chunk_codec(m).encode(chunk);
}

void decode_chunk_into(const array_metadata& m, std::string_view encoded,
                       std::span<std::byte> chunk, std::string_view key) {
    chunk_codec(m).decode_into(encoded, chunk, key);
}

}  // namespace functionfuse::zarr
