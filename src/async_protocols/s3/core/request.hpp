#pragma once
// One S3 request, described once for both transports (sans-I/O, as TensorStore's
// `s3_request_builder` separates building from sending): the operation builders below fill it,
// `prepare_request` addresses and checks it for one endpoint, and the Beast transport
// (beast/) and the curl transport (curl/) only sign (each its own way) and send it.
//
//   request r = put_object_request(bucket, key, body, content_type);
//   prepared_request p = prepare_request(r, server, params);  // throws config_error
//   ... send p.method, p.url_host/target, p.host_header, r.headers, r.body, p.payload_hash ...

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "async_protocols/s3/core/client_params.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/object_types.hpp"
#include "async_protocols/s3/core/operations.hpp"

namespace functionfuse::s3 {

/// The HTTP methods S3 operations use.
enum class http_method : std::uint8_t { get, head, put, post, delete_ };

/// "GET", "HEAD", "PUT", "POST", "DELETE".
std::string_view method_name(http_method m) noexcept;

/// One S3 request before addressing and signing.
struct request {
    http_method method = http_method::get;
    std::string bucket;
    std::string key;  ///< raw (not encoded); empty for bucket-level requests
    /// Raw query parameters (encoded on the wire and for signing); "" value = value-less.
    std::vector<std::pair<std::string, std::string>> query;
    /// Extra headers (lower-case names), all signed: content-type, content-md5, range.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;  ///< viewed, never copied: the caller keeps it alive
    /// What to do with the answer: a 404 is returned to the caller instead of thrown.
    bool allow_not_found = false;

    /// A HEAD request: its answer has no body.
    bool head() const noexcept { return method == http_method::head; }
};

/// A request addressed for one endpoint, checked, with its payload hash: what a transport
/// needs to put it on the wire.
struct prepared_request {
    object_address address;    ///< host to connect to, Host header, encoded path
    std::string target;        ///< encoded path plus `?` and the canonical query, if any
    std::string payload_hash;  ///< hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
    std::string described;     ///< "METHOD scheme://host:port/bucket/key" for messages
};

/// Addresses `r` for `server` (`address_object` with `params.addressing`), refuses what must
/// not be sent (`check_request`: CR/LF/NUL in Host, headers or signing inputs; "."/".."
/// path segments) with `config_error`, and hashes the body once (the signature of every
/// attempt covers it).
prepared_request prepare_request(const request& r, const endpoint& server,
                                 const client_params& params);

// --- the operation builders: each S3 operation's request, written once -----------------

/// PutObject; `content_type` empty: no Content-Type header.
request put_object_request(std::string_view bucket, std::string_view key, std::string_view body,
                           std::string_view content_type);
/// PutObject only if no object has the key: `If-None-Match: *`, signed as every header. A
/// server that honours it refuses with 412 PreconditionFailed (or 409
/// ConditionalRequestConflict) when the key exists (conditional_writes/); one that ignores it
/// replaces the object.
request put_object_if_absent_request(std::string_view bucket, std::string_view key,
                                     std::string_view body, std::string_view content_type);
/// GetObject, optionally of bytes [first, last] (`last` empty: to the end). 404 allowed.
request get_object_request(std::string_view bucket, std::string_view key,
                           std::optional<byte_range> range);
/// HeadObject. 404 allowed.
request head_object_request(std::string_view bucket, std::string_view key);
/// DeleteObject. 404 allowed (deleting what is gone is success).
request delete_object_request(std::string_view bucket, std::string_view key);
/// One DeleteObjects batch (`delete_batches`); `batch` must outlive the request (its body).
request delete_objects_request(std::string_view bucket, const delete_batch& batch);
/// One page of a listing: GET on the bucket with a pager's query.
request list_page_request(std::string_view bucket,
                          std::vector<std::pair<std::string, std::string>> query);

/// CreateBucket; `body` is the CreateBucketConfiguration ("" in us-east-1).
request create_bucket_request(std::string_view bucket, std::string_view body);
/// CreateMultipartUpload; `content_type` empty: none.
request create_multipart_upload_request(std::string_view bucket, std::string_view key,
                                        std::string_view content_type);
/// UploadPart `part_number` of `upload_id`.
request upload_part_request(std::string_view bucket, std::string_view key,
                            std::string_view upload_id, int part_number, std::string_view body);
/// CompleteMultipartUpload with `body` (`complete_multipart_body`).
request complete_multipart_upload_request(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id, std::string_view body);
/// AbortMultipartUpload. 404 allowed (an upload already gone).
request abort_multipart_upload_request(std::string_view bucket, std::string_view key,
                                       std::string_view upload_id);

}  // namespace functionfuse::s3
