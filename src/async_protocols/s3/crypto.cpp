// SHA-256 and HMAC-SHA256 through OpenSSL's EVP interfaces (one-shot where possible: they pick
// the fastest implementation for the CPU, e.g. SHA-NI).

#include "async_protocols/s3/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/sigv4.hpp"

namespace functionfuse::s3 {

digest256 sha256(std::string_view data) {
    digest256 out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
        len != out.size()) {
        throw error("sha256: OpenSSL EVP_Digest failed");
    }
    return out;
}

digest256 hmac_sha256(std::string_view key, std::string_view data) {
    digest256 out{};
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
             &len) == nullptr ||
        len != out.size()) {
        throw error("hmac_sha256: OpenSSL HMAC failed");
    }
    return out;
}

std::string hex_lower(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    return hex_lower(sha256(data));
}

struct sha256_hasher::impl {
    EVP_MD_CTX* ctx = nullptr;
    ~impl() { EVP_MD_CTX_free(ctx); }
    void reset() {
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
            throw error("sha256: OpenSSL EVP_DigestInit_ex failed");
        }
    }
};

sha256_hasher::sha256_hasher() : impl_(std::make_unique<impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (impl_->ctx == nullptr) {
        throw error("sha256: OpenSSL EVP_MD_CTX_new failed");
    }
    impl_->reset();
}

sha256_hasher::~sha256_hasher() = default;
sha256_hasher::sha256_hasher(sha256_hasher&&) noexcept = default;
sha256_hasher& sha256_hasher::operator=(sha256_hasher&&) noexcept = default;

void sha256_hasher::update(std::string_view data) {
    update(data.data(), data.size());
}

void sha256_hasher::update(const void* data, std::size_t size) {
    if (size != 0 && EVP_DigestUpdate(impl_->ctx, data, size) != 1) {
        throw error("sha256: OpenSSL EVP_DigestUpdate failed");
    }
}

digest256 sha256_hasher::finish() {
    digest256 out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) != 1 || len != out.size()) {
        throw error("sha256: OpenSSL EVP_DigestFinal_ex failed");
    }
    impl_->reset();
    return out;
}

}  // namespace functionfuse::s3
