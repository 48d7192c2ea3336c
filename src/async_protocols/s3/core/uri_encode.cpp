// URI encoding as SigV4 defines it: every byte outside the unreserved set becomes %XX with
// uppercase hex, byte by byte (so UTF-8 is encoded per byte). S3 keys are encoded exactly once
// and never normalized, so "a//b/./c" keeps its empty and dot segments.

#include "async_protocols/s3/core/uri_encode.hpp"

#include <functionfuse/error.hpp>

namespace functionfuse::s3 {
namespace {

void append_encoded(std::string& out, std::string_view raw, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    for (char c : raw) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(c);
        } else {
            auto b = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(digits[b >> 4]);
            out.push_back(digits[b & 0x0f]);
        }
    }
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

}  // namespace

std::string uri_encode_path(std::string_view raw_path) {
    std::string out;
    out.reserve(raw_path.size() + raw_path.size() / 2);
    append_encoded(out, raw_path, /*keep_slash=*/true);
    return out;
}

std::string uri_encode_query(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + raw.size() / 2);
    append_encoded(out, raw, /*keep_slash=*/false);
    return out;
}

std::string percent_decode(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        char c = encoded[i];
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        int hi = i + 1 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
        int lo = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            throw error("malformed percent-escape '" + std::string(encoded.substr(i, 3)) +
                        "' in URI component");
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

}  // namespace functionfuse::s3
