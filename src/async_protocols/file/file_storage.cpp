#include "async_protocols/file/file_storage.hpp"

#include "async_protocols/file/file_byte_store.hpp"

namespace functionfuse {

file_storage::file_storage(file_storage_options options, std::shared_ptr<shared_executor> executor)
    : byte_store_storage(std::make_shared<detail::file_byte_store>(
                             std::move(options.path), executor->blocking(), options.fsync),
                         executor) {}

}  // namespace functionfuse
