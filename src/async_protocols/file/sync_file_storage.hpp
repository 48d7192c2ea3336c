#pragma once
// The blocking form of the "file" kind: same layout, same bytes, runs in the calling thread.

#include "async_protocols/file/file_storage.hpp"
#include "storage/byte_store_sync_storage.hpp"

namespace functionfuse::sync {

/// Blocking file storage (see `functionfuse::file_storage` for layout and options).
class file_storage final : public detail::byte_store_sync_storage {
  public:
    explicit file_storage(file_storage_options options);
};

}  // namespace functionfuse::sync
