#include "async_protocols/file/sync_file_storage.hpp"

#include <filesystem>

#include "async_protocols/file/file_byte_store.hpp"

namespace functionfuse::sync {

file_storage::file_storage(file_storage_options options)
    : byte_store_sync_storage(
          [root = std::filesystem::absolute(options.path), fsync = options.fsync](
              boost::asio::any_io_executor blocking) -> std::shared_ptr<detail::byte_store> {
              return std::make_shared<detail::file_byte_store>(root, std::move(blocking), fsync);
          }) {}

}  // namespace functionfuse::sync
