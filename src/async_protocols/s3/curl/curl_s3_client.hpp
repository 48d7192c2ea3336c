#pragma once
// A blocking S3 client on libcurl's easy interface, for the sync path: one request at a time
// per calling thread, signed by curl's own SigV4 (CURLOPT_AWS_SIGV4), path-style URLs.
//
// libcurl 7.88 quirks it works around (see tests/s3/curl_sigv4_test.cpp): curl never adds
// x-amz-content-sha256, so it is supplied (and then signed) explicitly; curl signs the URL's
// query verbatim, so the URL carries the canonical (encoded, sorted) query; curl would remove
// "." and ".." path segments, so CURLOPT_PATH_AS_IS is set and keys are encoded exactly once.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "async_protocols/s3/core/client_params.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/object_types.hpp"
#include "async_protocols/s3/core/request.hpp"

namespace functionfuse::detail {

/// The answer to one request.
struct curl_s3_response {
    long status = 0;
    std::string body;
    std::string request_id;  ///< x-amz-request-id, if sent
};

/// Blocking S3 client for one endpoint and its credentials.
/// Thread-safety: all members may be called from several threads at once; each request takes
/// an idle easy handle (keeping its connections alive) or makes one.
/// Errors: an S3 error answer (after retries) throws `s3_error` (code, message, request id,
/// status, key — never a secret); a transport failure throws `io_error` naming the method,
/// the endpoint and the key.
class curl_s3_client {
  public:
    /// Addresses buckets as the async client does (`s3::address_object`), pins the hosts of
    /// `params.resolve` with CURLOPT_RESOLVE. Throws `config_error` for an empty host or a
    /// bad `resolve` entry.
    explicit curl_s3_client(s3::client_params params);
    ~curl_s3_client();
    curl_s3_client(const curl_s3_client&) = delete;
    curl_s3_client& operator=(const curl_s3_client&) = delete;

    const s3::client_params& params() const noexcept { return params_; }
    /// `scheme://host[:port]`.
    const std::string& origin() const noexcept { return origin_; }

    /// PUT `body` as `key`.
    void put_object(std::string_view bucket, std::string_view key, std::string_view body);
    /// PUT `body` as `key` only if no object has that key (`If-None-Match: *`, signed): true
    /// when stored, false when refused because the key exists (412, or 409
    /// ConditionalRequestConflict). A server that ignores the header stores it anyway (true).
    bool put_object_if_absent(std::string_view bucket, std::string_view key, std::string_view body);
    /// GET `key`, or nullopt when the object does not exist (a missing bucket throws).
    std::optional<std::string> get_object(std::string_view bucket, std::string_view key);
    /// HEAD `key`: whether it exists.
    bool object_exists(std::string_view bucket, std::string_view key);
    /// DELETE `key` (a missing key is success).
    void delete_object(std::string_view bucket, std::string_view key);
    /// DeleteObjects, 1,000 keys per request with Content-MD5; returns the keys the server
    /// could not delete.
    std::vector<s3::delete_failure> delete_objects(std::string_view bucket,
                                                   const std::vector<std::string>& keys);
    /// ListObjectsV2 over all pages.
    s3::list_result list_objects_v2(std::string_view bucket, std::string_view prefix,
                                    std::string_view delimiter);

  private:
    struct easy_handle;
    /// Performs `req` (built by core/request.hpp's builders) with retries; returns a 2xx
    /// answer (or a 404 when `allow_not_found`).
    curl_s3_response perform(const s3::request& req);
    /// One attempt.
    curl_s3_response attempt(easy_handle& h, const s3::request& req, const s3::prepared_request& p,
                             const std::string& url, const s3::credentials& creds);
    std::unique_ptr<easy_handle> take_handle();
    void return_handle(std::unique_ptr<easy_handle> h);

    s3::client_params params_;
    s3::endpoint server_;
    std::string origin_;
    std::vector<std::string> resolve_lines_;  // CURLOPT_RESOLVE entries for params_.resolve
    std::string sigv4_provider_;              // "aws:amz:<region>:s3"
    std::string ca_file_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<easy_handle>> idle_;
};

}  // namespace functionfuse::detail
