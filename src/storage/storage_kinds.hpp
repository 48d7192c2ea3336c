#pragma once
// The registry of storage kinds ("file", "S3"): name -> how to build the async and the sync
// storage from the config's `options`. Built-in kinds are registered explicitly in
// `storage_kinds()` (static self-registration in a static library would be dropped by the
// linker).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "functionfuse/executor.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"

namespace functionfuse::detail {

class array_store_registry;  // src/arrays/array_store_registry.hpp

struct storage_kind {
    /// Builds the async storage from `options` (path "options" for error messages); the
    /// executor is never null here.
    std::function<std::shared_ptr<storage>(const boost::json::value& options,
                                           std::shared_ptr<shared_executor> executor)>
        make_async;
    /// Builds the blocking storage from the same `options`.
    std::function<std::shared_ptr<sync::storage>(const boost::json::value& options)> make_sync;
};

class storage_kind_registry {
  public:
    /// Adds (or replaces) the kind `name` (case-sensitive, as in the Python original).
    void add(std::string name, storage_kind kind) { kinds_[std::move(name)] = std::move(kind); }
    /// The kind `name`, or nullptr.
    const storage_kind* find(std::string_view name) const {
        auto it = kinds_.find(name);
        return it == kinds_.end() ? nullptr : &it->second;
    }
    /// The registered names, sorted (for error messages).
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& kv : kinds_)
            out.push_back(kv.first);
        return out;
    }

  private:
    std::map<std::string, storage_kind, std::less<>> kinds_;
};

/// The process-wide registry with every built-in kind registered.
const storage_kind_registry& storage_kinds();

/// Built-in kinds; each lives in its protocol's room (src/async_protocols/file/file_kind.cpp)
/// and registers its array store with `stores` too (FILE_PROTOCOL → HDF5).
void register_file_kind(storage_kind_registry& registry, array_store_registry& stores);
/// The "S3" kind (src/async_protocols/s3/s3_kind.cpp); S3_PROTOCOL → zarr.
void register_s3_kind(storage_kind_registry& registry, array_store_registry& stores);

}  // namespace functionfuse::detail
