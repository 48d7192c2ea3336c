// SHA-1 trailer of stored results (OpenSSL's one-shot SHA1: the fastest path it offers for a
// buffer already in memory).

#include "checksum.hpp"

#include <openssl/sha.h>

#include <cstring>

#include <fmt/format.h>

#include "functionfuse/error.hpp"

namespace functionfuse::checksum {

static_assert(trailer_size == SHA_DIGEST_LENGTH);

void append_sha1(std::string& pickle_bytes) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(pickle_bytes.data()), pickle_bytes.size(), digest);
    pickle_bytes.append(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string_view verify_sha1(std::string_view stored, std::string_view what) {
    if (stored.size() < trailer_size)
        throw invalid_pickle(
            fmt::format("{}: {} bytes is too short for a pickle with its {}-byte "
                        "SHA-1 trailer",
                        what, stored.size(), trailer_size));
    const std::string_view body = stored.substr(0, stored.size() - trailer_size);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
    if (std::memcmp(digest, stored.data() + body.size(), trailer_size) != 0)
        throw invalid_pickle(
            fmt::format("{}: SHA-1 checksum mismatch (the stored result is "
                        "corrupt or truncated)",
                        what));
    return body;
}

}  // namespace functionfuse::checksum
