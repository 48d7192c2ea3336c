#pragma once
// AWS Signature Version 4 for S3, as pure functions with an injected clock (no I/O).
// S3 rules: the path is URI-encoded once and never normalized; x-amz-content-sha256 is always
// signed; query parameters are encoded and sorted; value-less parameters sign as `name=`.

#include <chrono>
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
};

/// The headers to add to the request (`Authorization`, `x-amz-date`, `x-amz-content-sha256`,
/// and `x-amz-security-token` when there is a session token).
struct signed_headers {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string canonical_request;  ///< for tests and debugging (holds no secret)
    std::string string_to_sign;     ///< for tests and debugging (holds no secret)
};

/// Encodes each path segment once per S3 rules (unreserved A-Z a-z 0-9 - _ . ~ kept, '/'
/// kept, everything else %XX uppercase). Never normalizes.
std::string uri_encode_path(std::string_view raw_path);
/// Encodes a query name or value (as above, but '/' is encoded too).
std::string uri_encode_query(std::string_view raw);

/// Signs a request with header-based auth.
signed_headers sign_request(const request_to_sign& req, const credentials& creds,
                            const signing_params& params);

/// A presigned URL's query string (X-Amz-Algorithm ... X-Amz-Signature), for query auth.
std::string presign_query(const request_to_sign& req, const credentials& creds,
                          const signing_params& params, std::chrono::seconds expires);

/// Hex SHA-256 of `data` (the payload hash).
std::string sha256_hex(std::string_view data);

}  // namespace functionfuse::s3
