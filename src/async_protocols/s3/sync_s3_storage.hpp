#pragma once
// The blocking form of the "S3" kind: same keys, same bytes, libcurl in the calling thread.

#include "async_protocols/s3/s3_storage.hpp"
#include "storage/byte_store_sync_storage.hpp"

namespace functionfuse::sync {

/// Blocking S3 storage (see `functionfuse::s3_storage` for layout and options). Addressing is
/// always path-style. Connections are kept alive between calls.
class s3_storage final : public detail::byte_store_sync_storage {
  public:
    explicit s3_storage(s3_storage_options options);
};

}  // namespace functionfuse::sync
