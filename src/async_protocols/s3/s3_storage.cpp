#include "async_protocols/s3/s3_storage.hpp"

#include "async_protocols/s3/s3_byte_store.hpp"

namespace functionfuse {

namespace {
std::shared_ptr<detail::byte_store> make_store(s3_storage_options options,
                                               const std::shared_ptr<shared_executor>& executor) {
    auto client = std::make_shared<s3::client>(executor->io(), std::move(options.client));
    return std::make_shared<detail::s3_byte_store>(std::move(client), std::move(options.location),
                                                   executor->io(), executor->blocking(), executor);
}
}  // namespace

s3_storage::s3_storage(s3_storage_options options, std::shared_ptr<shared_executor> executor)
    : byte_store_storage(make_store(std::move(options), executor), executor) {}

}  // namespace functionfuse
