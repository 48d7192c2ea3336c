#pragma once
// AWS Signature Version 4 for S3, as pure functions with an injected clock (no I/O).
// S3 rules: the path is URI-encoded once and never normalized; x-amz-content-sha256 is always
// signed; query parameters are encoded and sorted; value-less parameters sign as `name=`.

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace functionfuse::s3 {

/// Access credentials. Never logged, never put in an error message.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  ///< empty when not using temporary credentials
    /// Anonymous requests are sent unsigned.
    bool anonymous() const noexcept { return access_key_id.empty(); }
};

/// What the signer needs of a request.
struct request_to_sign {
    std::string method;  ///< "GET", "PUT", ...
    /// The path as sent on the wire, already URI-encoded once by `uri_encode_path`
    /// (e.g. "/bucket/a%20b"). The signer uses it verbatim (S3 never re-encodes/normalizes).
    std::string encoded_path;
    /// Query parameters, decoded (raw) names and values; a value-less parameter has "".
    std::vector<std::pair<std::string, std::string>> query;
    /// Headers to sign (names any case; values raw). Must include `host`; the signer adds
    /// x-amz-date, x-amz-content-sha256 and x-amz-security-token to the signed set itself.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
    std::string payload_hash;
};

/// Signing scope.
struct signing_params {
    std::string region = "us-east-1";
    std::string service = "s3";
    std::chrono::system_clock::time_point time;  ///< the injected clock's reading
    /// Send and sign `x-amz-content-sha256` (S3 requires it; leave true). False only emulates
    /// services other than S3, whose published test vectors do not carry the header.
    bool sign_content_sha256 = true;
};

/// The headers to add to the request (`Authorization`, `x-amz-date`, `x-amz-content-sha256`,
/// and `x-amz-security-token` when there is a session token).
struct signed_headers {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string canonical_request;  ///< for tests and debugging (holds no secret)
    std::string string_to_sign;     ///< for tests and debugging (holds no secret)
    std::string signature;          ///< lowercase hex signature (as in `Authorization`)
};

/// The result of query (presigned URL) auth.
struct presigned_query {
    /// The complete query string for the URL (no leading '?'): the request's own parameters
    /// and the X-Amz-* parameters, encoded and sorted, then `X-Amz-Signature`.
    std::string query;
    std::string canonical_request;  ///< for tests and debugging (holds no secret)
    std::string string_to_sign;     ///< for tests and debugging (holds no secret)
    std::string signature;          ///< lowercase hex signature
};

/// Encodes each path segment once per S3 rules (unreserved A-Z a-z 0-9 - _ . ~ kept, '/'
/// kept, everything else %XX uppercase). Never normalizes.
std::string uri_encode_path(std::string_view raw_path);
/// Encodes a query name or value (as above, but '/' is encoded too).
std::string uri_encode_query(std::string_view raw);

/// `YYYYMMDDTHHMMSSZ` (UTC) of `t`, the x-amz-date format.
std::string format_amz_date(std::chrono::system_clock::time_point t);

/// The canonical query string: names and values encoded with `uri_encode_query`, sorted by
/// encoded name then value, joined as `name=value` with '&' (a value-less one as `name=`).
std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& query);

/// Derives the SigV4 signing key kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
/// service), "aws4_request"). `date` is `YYYYMMDD`. The result is secret.
std::array<unsigned char, 32> derive_signing_key(std::string_view secret_access_key,
                                                 std::string_view date, std::string_view region,
                                                 std::string_view service);

/// A small cache of derived signing keys, keyed by (date, region, service, access key id,
/// a SHA-256 fingerprint of the secret), so a key is derived once a day instead of per
/// request. Holds at most `capacity` entries, evicting the oldest.
/// Thread-safety: all members may be called concurrently.
class signing_key_cache {
  public:
    explicit signing_key_cache(std::size_t capacity = 8) : capacity_(capacity) {}
    /// The signing key for the scope, derived on a miss.
    std::array<unsigned char, 32> get(const credentials& creds, std::string_view date,
                                      std::string_view region, std::string_view service);
    /// Number of derivations done so far (for tests).
    std::size_t derivations() const;
    /// The process-wide cache `sign_request` and `presign` use.
    static signing_key_cache& shared();

  private:
    struct entry {
        std::string scope;  // date/region/service/access key id
        std::array<unsigned char, 32> secret_fingerprint;
        std::array<unsigned char, 32> key;
    };
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::size_t derivations_ = 0;
    std::vector<entry> entries_;  // oldest first
};

/// Signs a request with header-based auth. The returned `headers` are to be added to the
/// request as they are; any `authorization`, `x-amz-date`, `x-amz-content-sha256` or
/// `x-amz-security-token` already in `req.headers` is ignored (the signer's values win).
/// An empty `payload_hash` means an empty body. Throws `functionfuse::error` for anonymous
/// credentials or a request without a `host` header. Thread-safe.
signed_headers sign_request(const request_to_sign& req, const credentials& creds,
                            const signing_params& params);

/// Query auth (presigned URL): signs `req.headers` (at least `host`) and the payload line
/// `req.payload_hash` (S3 presigned URLs use "UNSIGNED-PAYLOAD"; empty means that too).
/// The session token, if any, is signed as `X-Amz-Security-Token`. `expires` must be in
/// 1 s .. 7 days, else `functionfuse::error`. Thread-safe.
presigned_query presign(const request_to_sign& req, const credentials& creds,
                        const signing_params& params, std::chrono::seconds expires);

/// A presigned URL's query string: `presign(...).query`.
std::string presign_query(const request_to_sign& req, const credentials& creds,
                          const signing_params& params, std::chrono::seconds expires);

/// The signature of one chunk of an aws-chunked body (x-amz-content-sha256 =
/// STREAMING-AWS4-HMAC-SHA256-PAYLOAD): signs "AWS4-HMAC-SHA256-PAYLOAD", the date, the scope,
/// `previous_signature` (the seed signature from `sign_request` for the first chunk), the hash
/// of the empty string and `chunk_sha256_hex`. The final chunk is the empty one. Thread-safe.
std::string chunk_signature(const credentials& creds, const signing_params& params,
                            std::string_view previous_signature, std::string_view chunk_sha256_hex);

/// Hex SHA-256 of `data` (the payload hash).
std::string sha256_hex(std::string_view data);

}  // namespace functionfuse::s3
