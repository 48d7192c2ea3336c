// SHA-256 and HMAC-SHA256 through OpenSSL's EVP interfaces (one-shot where possible: they pick
// the fastest implementation for the CPU, e.g. SHA-NI).

#include "async_protocols/s3/core/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

namespace {

// OpenSSL 3 looks algorithms up by name ("fetching") on every implicit use, which costs more
// than hashing a canonical request. Both algorithms are fetched once per process and each
// thread keeps its own reusable context (contexts are not thread-safe; the fetched
// algorithms are).
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr)
        throw error("sha256: OpenSSL cannot fetch SHA256");
    return md;
}

EVP_MAC* hmac_mac() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr)
        throw error("hmac_sha256: OpenSSL cannot fetch HMAC");
    return mac;
}

struct md_ctx_holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~md_ctx_holder() { EVP_MD_CTX_free(ctx); }
};

// The digest is set once per context: setting it on every init would fetch SHA256 again.
struct mac_ctx_holder {
    EVP_MAC_CTX* ctx = nullptr;
    mac_ctx_holder() {
        static char digest_name[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
            OSSL_PARAM_construct_end()};
        ctx = EVP_MAC_CTX_new(hmac_mac());
        if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
            EVP_MAC_CTX_free(ctx);
            ctx = nullptr;
        }
    }
    ~mac_ctx_holder() { EVP_MAC_CTX_free(ctx); }
};

}  // namespace

digest256 sha256(std::string_view data) {
    thread_local md_ctx_holder holder;
    digest256 out{};
    unsigned int len = 0;
    if (holder.ctx == nullptr || EVP_DigestInit_ex2(holder.ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(holder.ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(holder.ctx, out.data(), &len) != 1 || len != out.size()) {
        throw error("sha256: OpenSSL digest failed");
    }
    return out;
}

digest256 hmac_sha256(std::string_view key, std::string_view data) {
    thread_local mac_ctx_holder holder;
    digest256 out{};
    std::size_t len = 0;
    if (holder.ctx == nullptr ||
        EVP_MAC_init(holder.ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr) != 1 ||
        EVP_MAC_update(holder.ctx, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1 ||
        EVP_MAC_final(holder.ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
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
        if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) {
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
