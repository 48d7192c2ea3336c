#pragma once
// The "S3" storage kind: results are objects `<prefix>/<workflow>/<task>` in one bucket,
// out-of-band data under `<prefix>/<workflow>/bigdata/`, lending S3_PROTOCOL to serializers.

#include <memory>

#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/core/client_params.hpp"
#include "async_protocols/s3/s3_location.hpp"
#include "functionfuse/executor.hpp"
#include "storage/byte_store_storage.hpp"

namespace functionfuse {

namespace s3 {
class client;
}

/// Everything an S3 storage (async or sync) is built from; `storage_factory` reads it from
/// the JSON config (see docs/configuration.md).
struct s3_storage_options {
    /// Bucket and key prefix (`options.path`).
    detail::s3_location location;
    /// Endpoint, credentials, region, pool size, retries, TLS, timeouts, multipart.
    s3::client_params client;
    /// Whether saves of new tasks use create-only PUTs (`"conditional_writes"`).
    detail::conditional_writes_mode conditional_writes = detail::conditional_writes_mode::automatic;
};

/// Async S3 storage on a shared executor (sockets on its io context).
class s3_storage final : public detail::byte_store_storage {
  public:
    /// Throws `io_error` for an unreadable CA file.
    s3_storage(s3_storage_options options, std::shared_ptr<shared_executor> executor);

    /// The client this storage sends its requests with (tests and diagnostics: pool counts).
    const s3::client& client() const noexcept { return *client_; }

  private:
    s3_storage(std::shared_ptr<s3::client> client, detail::s3_location location,
               detail::conditional_writes_mode conditional_writes,
               std::shared_ptr<shared_executor> executor);
    std::shared_ptr<s3::client> client_;
};

}  // namespace functionfuse
