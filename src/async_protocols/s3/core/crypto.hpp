#pragma once
// SHA-256 and HMAC-SHA256 over OpenSSL EVP, the two primitives SigV4 needs. OpenSSL stays out
// of this header so that users of the signer do not pull it in.

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace functionfuse::s3 {

/// A raw 32-byte SHA-256 / HMAC-SHA256 digest.
using digest256 = std::array<unsigned char, 32>;

/// SHA-256 of `data`.
digest256 sha256(std::string_view data);

/// HMAC-SHA256 of `data` under `key`.
digest256 hmac_sha256(std::string_view key, std::string_view data);

/// Lowercase hex of `bytes` (64 characters for a digest).
std::string hex_lower(const unsigned char* bytes, std::size_t size);
inline std::string hex_lower(const digest256& d) {
    return hex_lower(d.data(), d.size());
}

/// Views a digest as bytes, e.g. to use it as the next HMAC key.
inline std::string_view as_bytes(const digest256& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

/// Incremental SHA-256 for bodies that arrive in pieces (no copy of the whole body needed).
/// Not thread-safe; one hasher per body.
class sha256_hasher {
  public:
    /// Starts an empty hash. Throws `functionfuse::error` if OpenSSL cannot allocate.
    sha256_hasher();
    ~sha256_hasher();
    sha256_hasher(sha256_hasher&&) noexcept;
    sha256_hasher& operator=(sha256_hasher&&) noexcept;

    /// Adds bytes.
    void update(std::string_view data);
    void update(const void* data, std::size_t size);
    /// Finishes and returns the digest; the hasher is reset to empty afterwards.
    digest256 finish();
    /// Finishes and returns the lowercase hex digest.
    std::string finish_hex() { return hex_lower(finish()); }

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace functionfuse::s3
