#pragma once
// Percent-encoding per SigV4/S3 (RFC 3986 unreserved set). The encoders themselves,
// `uri_encode_path` and `uri_encode_query`, are declared in sigv4.hpp next to the signer
// that depends on them; this header adds the decoder.

#include <string>
#include <string_view>

#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

/// True for A-Z a-z 0-9 - _ . ~, the characters SigV4 never encodes.
constexpr bool is_unreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

/// Decodes %XX escapes (either hex case). '+' is kept as '+' (S3 paths and SigV4 queries do
/// not use form encoding). Throws `functionfuse::error` on a malformed escape ('%' not
/// followed by two hex digits); the message quotes at most the offending escape.
std::string percent_decode(std::string_view encoded);

}  // namespace functionfuse::s3
