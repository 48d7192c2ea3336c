#pragma once
// The "file" storage kind: a local directory, `<path>/<workflow>/<task>` plus
// `<path>/<workflow>/bigdata/`, lending FILE_PROTOCOL to serializers.

#include <filesystem>
#include <memory>

#include "functionfuse/executor.hpp"
#include "functionfuse/sync.hpp"
#include "storage/byte_store_storage.hpp"

namespace functionfuse {

/// Options of the file kind (JSON `options` of `{"kind": "file", ...}`).
struct file_storage_options {
    /// The store's root directory (`options.path`); relative paths are resolved once, at
    /// construction, against the current directory. Created on first use.
    std::filesystem::path path;
    /// `options.fsync`: fsync each saved file before publishing it and its directory after.
    /// Default true; false trades durability on power loss for speed (atomicity stays).
    bool fsync = true;
};

/// Async file storage on a shared executor (file-system calls on its blocking pool).
class file_storage final : public detail::byte_store_storage {
  public:
    file_storage(file_storage_options options, std::shared_ptr<shared_executor> executor);
};

}  // namespace functionfuse
