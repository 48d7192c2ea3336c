#pragma once
// The asynchronous S3 client: SigV4-signed HTTP/1.1 over a keep-alive connection pool, with
// retries and automatic multipart upload. Internal to functionfuse (the S3 storage and the
// zarr writer use it); no Beast or OpenSSL types appear here.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "async_protocols/s3/client_params.hpp"
#include "async_protocols/s3/object_types.hpp"

namespace functionfuse::s3 {

/// Options of one PUT.
struct put_options {
    /// Content-Type to store with the object (empty: none sent).
    std::string content_type;
};

/// An S3 client for one endpoint.
///
/// Every operation is an awaitable that runs on the awaiting coroutine's executor; sockets
/// are created on that executor, so use one client from coroutines of one io_context.
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
    explicit client(client_params params);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    const client_params& params() const noexcept;

    /// Stores `body` under `key` and returns the ETag. `body` is read in place (never copied)
    /// and must stay alive until the awaitable completes. Bodies above
    /// `params().multipart.threshold` go up as a multipart upload.
    boost::asio::awaitable<std::string> put_object(std::string bucket, std::string key,
                                                   std::string_view body, put_options options = {});
    /// Same, keeping a shared buffer alive for the duration (for detached uploads).
    boost::asio::awaitable<std::string> put_object(std::string bucket, std::string key,
                                                   std::shared_ptr<const std::string> body,
                                                   put_options options = {});

    /// Reads an object, or the inclusive byte `range` of it. A missing key throws
    /// `functionfuse::not_found`.
    boost::asio::awaitable<std::string> get_object(std::string bucket, std::string key,
                                                   std::optional<byte_range> range = {});

    /// Metadata of an object, or nullopt if it does not exist.
    boost::asio::awaitable<std::optional<object_info>> head_object(std::string bucket,
                                                                   std::string key);

    /// Deletes an object (succeeds if it did not exist).
    boost::asio::awaitable<void> delete_object(std::string bucket, std::string key);

    /// Deletes `keys` with DeleteObjects, 1,000 per request (with Content-MD5), and returns the
    /// keys the server could not delete (empty on full success).
    boost::asio::awaitable<std::vector<delete_failure>> delete_objects(
        std::string bucket, std::vector<std::string> keys);

    /// Lists every object under `prefix` (all pages of ListObjectsV2). With a `delimiter`,
    /// keys past it are rolled up into `common_prefixes`.
    boost::asio::awaitable<list_result> list_objects_v2(std::string bucket, std::string prefix = {},
                                                        std::string delimiter = {});

    /// Creates a bucket (region taken from the params; BucketAlreadyOwnedByYou is success).
    boost::asio::awaitable<void> create_bucket(std::string bucket);

    // Multipart steps, for callers that produce an object in pieces. `put_object` uses them.

    /// Starts a multipart upload and returns its upload id.
    boost::asio::awaitable<std::string> create_multipart_upload(std::string bucket, std::string key,
                                                                put_options options = {});
    /// Uploads part `part_number` (1..10000) and returns its ETag. `body` must stay alive.
    boost::asio::awaitable<std::string> upload_part(std::string bucket, std::string key,
                                                    std::string upload_id, int part_number,
                                                    std::string_view body);
    /// Completes the upload from its parts (ascending part numbers); returns the ETag.
    boost::asio::awaitable<std::string> complete_multipart_upload(
        std::string bucket, std::string key, std::string upload_id,
        std::vector<completed_part> parts);
    /// Aborts an upload, discarding its parts.
    boost::asio::awaitable<void> abort_multipart_upload(std::string bucket, std::string key,
                                                        std::string upload_id);

    /// Connections currently open (idle or in use), for tests and diagnostics.
    std::size_t open_connections() const;

    struct impl;

  private:
    std::unique_ptr<impl> impl_;
};

}  // namespace functionfuse::s3
