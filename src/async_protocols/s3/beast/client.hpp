#pragma once
// The asynchronous S3 client: SigV4-signed HTTP/1.1 over a keep-alive connection pool, with
// retries and automatic multipart upload. Internal to functionfuse (the S3 storage and the
// zarr writer use it); no Beast or OpenSSL types appear here.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "async_protocols/s3/core/client_params.hpp"
#include "async_protocols/s3/core/object_types.hpp"

namespace functionfuse::s3 {

/// Options of one PUT.
struct put_options {
    /// Content-Type to store with the object (empty: none sent).
    std::string content_type;
};

/// An S3 client for one endpoint.
///
/// Arguments are views: bucket, key, body and options must stay alive until the returned
/// awaitable completes (always true for `co_await c.put_object(...)` with temporaries).
/// The client is bound to one executor (an io_context's): its sockets live there, and that
/// context must outlive the client. Operations may be awaited from coroutines on any
/// executor of that context.
/// Thread-safety: a client may be used by many coroutines at once, also from several threads
/// running that io_context.
/// Errors: an S3 error answer (after retries) throws `functionfuse::s3_error` (code, message,
/// request id, status, key; never a secret); a transport failure (refused, reset, timeout,
/// TLS verification) throws `functionfuse::io_error` naming the endpoint and key.
/// Retries follow `client_params::retry`; a reused keep-alive connection that the server had
/// closed is retried once more on a fresh connection without counting as an attempt.
/// Keys are raw (UTF-8) strings; the client encodes them.
class client {
  public:
    /// Throws `functionfuse::config_error` for an empty host, `io_error` for an unreadable
    /// CA file.
    client(boost::asio::any_io_executor io, client_params params);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    const client_params& params() const noexcept;

    /// Stores `body` under `key` and returns the ETag (empty when the server's answer carries
    /// none: Ceph RGW's CompleteMultipartUpload answers `<ETag></ETag>`; HEAD shows it later).
    /// `body` is read in place (never copied). Bodies above `params().multipart.threshold` go up as
    /// a multipart upload.
    boost::asio::awaitable<std::string> put_object(std::string_view bucket, std::string_view key,
                                                   std::string_view body,
                                                   const put_options& options);
    /// `put_object` with default options. (No class-type default arguments in this API:
    /// GCC 12 bitwise-copies such temporaries into the calling coroutine's frame.)
    boost::asio::awaitable<std::string> put_object(std::string_view bucket, std::string_view key,
                                                   std::string_view body);
    /// Same, keeping a shared buffer alive for the duration (for detached uploads).
    boost::asio::awaitable<std::string> put_object(std::string_view bucket, std::string_view key,
                                                   std::shared_ptr<const std::string> body,
                                                   const put_options& options);

    /// Stores `body` under `key` only if no object has that key: one PUT with
    /// `If-None-Match: *` (signed), never multipart, whatever the body's size. Returns true
    /// when stored, false when the server refused because the key exists (412, or 409
    /// ConditionalRequestConflict). A server that ignores the header stores the object anyway
    /// and this returns true: use it only where support was proven (conditional_writes.hpp).
    /// Cancellation: as `put_object`; a cancelled call may have stored the object.
    boost::asio::awaitable<bool> put_object_if_absent(std::string_view bucket, std::string_view key,
                                                      std::string_view body);

    /// Reads an object, or the inclusive byte `range` of it. A missing key (404 NoSuchKey)
    /// throws `functionfuse::not_found`; a missing bucket (404 NoSuchBucket) is an `s3_error`.
    boost::asio::awaitable<std::string> get_object(std::string_view bucket, std::string_view key,
                                                   std::optional<byte_range> range);
    /// The whole object (an overload, not a default argument: GCC 12 coroutine rule 3,
    /// CONTRIBUTING.md).
    boost::asio::awaitable<std::string> get_object(std::string_view bucket, std::string_view key);

    /// Metadata of an object, or nullopt if it does not exist (a HEAD answer has no body, so
    /// a missing bucket also reads as nullopt).
    boost::asio::awaitable<std::optional<object_info>> head_object(std::string_view bucket,
                                                                   std::string_view key);

    /// Deletes an object (succeeds if it did not exist).
    boost::asio::awaitable<void> delete_object(std::string_view bucket, std::string_view key);

    /// Deletes `keys` with DeleteObjects, 1,000 per request (with Content-MD5), and returns the
    /// keys the server could not delete (empty on full success).
    boost::asio::awaitable<std::vector<delete_failure>> delete_objects(
        std::string_view bucket, const std::vector<std::string>& keys);

    /// Lists every object under `prefix` (all pages of ListObjectsV2). With a `delimiter`,
    /// keys past it are rolled up into `common_prefixes`.
    boost::asio::awaitable<list_result> list_objects_v2(std::string_view bucket,
                                                        std::string_view prefix = {},
                                                        std::string_view delimiter = {});

    /// Creates a bucket (region taken from the params; BucketAlreadyOwnedByYou is success).
    boost::asio::awaitable<void> create_bucket(std::string_view bucket);

    // Multipart steps, for callers that produce an object in pieces. `put_object` uses them.

    /// Starts a multipart upload and returns its upload id.
    boost::asio::awaitable<std::string> create_multipart_upload(std::string_view bucket,
                                                                std::string_view key,
                                                                const put_options& options);
    /// Uploads part `part_number` (1..10000) and returns its ETag.
    boost::asio::awaitable<std::string> upload_part(std::string_view bucket, std::string_view key,
                                                    std::string_view upload_id, int part_number,
                                                    std::string_view body);
    /// Completes the upload from its parts (ascending part numbers); returns the ETag, or an
    /// empty string when the server sends none (nothing in the library depends on it).
    boost::asio::awaitable<std::string> complete_multipart_upload(
        std::string_view bucket, std::string_view key, std::string_view upload_id,
        const std::vector<completed_part>& parts);
    /// Every multipart upload in progress under `prefix` (all pages of ListMultipartUploads).
    boost::asio::awaitable<std::vector<multipart_upload_info>> list_multipart_uploads(
        std::string_view bucket, std::string_view prefix);
    /// Aborts an upload, discarding its parts.
    boost::asio::awaitable<void> abort_multipart_upload(std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view upload_id);

    /// Connections currently open (idle or in use), for tests and diagnostics.
    std::size_t open_connections() const;
    /// Connections currently lent to requests (being opened or in use), and requests waiting
    /// for one: for tests and diagnostics (a pool at rest has none of either).
    std::size_t connections_in_use() const;
    std::size_t waiting_requests() const;

    struct impl;

  private:
    // Note: coroutine parameters here are views, references and trivially copyable values
    // only. GCC 12 bitwise-copied by-value std::string parameters into the coroutine frame
    // (a short string then pointed into the caller's frame: "free(): invalid pointer").
    boost::asio::awaitable<std::string> put_single(std::string_view bucket, std::string_view key,
                                                   std::string_view body,
                                                   std::string_view content_type, bool if_absent);

    std::unique_ptr<impl> impl_;
};

}  // namespace functionfuse::s3
