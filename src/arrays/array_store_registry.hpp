#pragma once
// The registry of array stores: protocol name (FILE_PROTOCOL, S3_PROTOCOL) -> the store that
// keeps chunked arrays through that protocol. The kinds fill it when the factory registers them
// (`register_file_kind`, `register_s3_kind`), so the array serializer's room does not depend on
// the protocols' rooms. Same pattern as the storage-kind registry: built-ins are registered
// explicitly (static self-registration in a static library would be dropped by the linker).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "functionfuse/array_serializer.hpp"

namespace functionfuse::detail {

/// Thread-safety: all members may be called concurrently.
class array_store_registry {
  public:
    /// Serves `protocol_name` with `store` (replacing a previous one; the order of first
    /// registration is kept, it is the order in which `array_serializer` tries them).
    void add(std::string protocol_name, std::shared_ptr<array_store> store);
    /// The store for `protocol_name`, or nullptr.
    std::shared_ptr<array_store> find(std::string_view protocol_name) const;
    /// Every registered (protocol name, store), in registration order.
    std::vector<std::pair<std::string, std::shared_ptr<array_store>>> entries() const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, std::shared_ptr<array_store>>> stores_;
};

/// The process-wide registry that `array_serializer` falls back to for protocols it has no
/// store of its own for (`set_store`). Filled by the factory's kind registration.
array_store_registry& array_stores();

}  // namespace functionfuse::detail
