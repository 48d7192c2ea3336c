#pragma once
// Uploading one large in-memory body as an S3 multipart upload.

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "async_protocols/s3/beast/client.hpp"

namespace functionfuse::s3 {

/// Uploads `body` in parts of `c.params().multipart.part_size` (views into `body`, never
/// copies), at most `max_concurrent_parts` at once, then completes the upload and returns the
/// ETag. On any failure the upload is aborted (best effort) and the failure rethrown.
boost::asio::awaitable<std::string> upload_multipart(client& c, std::string_view bucket,
                                                     std::string_view key, std::string_view body,
                                                     std::string_view content_type);

}  // namespace functionfuse::s3
