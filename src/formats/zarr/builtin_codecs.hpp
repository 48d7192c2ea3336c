#pragma once
/// \file
/// Internal: factories of the built-in codecs, registered by `builtin_codecs()`, and small
/// helpers the codec implementations share.

#include <initializer_list>
#include <memory>
#include <string>

#include "formats/zarr/codec.hpp"

namespace functionfuse::zarr::detail {

std::shared_ptr<const codec> make_zlib_codec(const codec_config& config);
std::shared_ptr<const codec> make_gzip_codec(const codec_config& config);
std::shared_ptr<const codec> make_zstd_codec(const codec_config& config);
std::shared_ptr<const codec> make_blosc_codec(const codec_config& config);

/// Throws `config_error` naming the first parameter of `config` not in `known`: a parameter
/// this library does not understand could change the stored format, so it is not ignored.
void check_known_params(const codec_config& config, std::initializer_list<const char*> known);

/// Throws `config_error` for `compressor.<name>` unless lo <= value <= hi; returns value.
int check_range(const std::string& name, std::int64_t value, std::int64_t lo, std::int64_t hi);

}  // namespace functionfuse::zarr::detail
