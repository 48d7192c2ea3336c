#include "async_protocols/s3/s3_storage.hpp"

#include "async_protocols/s3/s3_byte_store.hpp"

namespace functionfuse {

s3_storage::s3_storage(s3_storage_options options, std::shared_ptr<shared_executor> executor)
    : s3_storage(std::make_shared<s3::client>(executor->io(), std::move(options.client)),
                 std::move(options.location), options.conditional_writes, executor) {}

s3_storage::s3_storage(std::shared_ptr<s3::client> client, detail::s3_location location,
                       detail::conditional_writes_mode conditional_writes,
                       std::shared_ptr<shared_executor> executor)
    : byte_store_storage(std::make_shared<detail::s3_byte_store>(
                             client, std::move(location),
                             std::make_shared<detail::conditional_support>(conditional_writes),
                             executor->io(), executor->blocking(), executor),
                         executor),
      client_(std::move(client)) {}

}  // namespace functionfuse
