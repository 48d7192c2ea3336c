#include "async_protocols/s3/sync_s3_storage.hpp"

#include "async_protocols/s3/curl_s3_byte_store.hpp"

namespace functionfuse::sync {

s3_storage::s3_storage(s3_storage_options options)
    : byte_store_sync_storage(
          [client = std::make_shared<detail::curl_s3_client>(std::move(options.client)),
           location = std::move(options.location),
           // One for the storage: each call's store is new, the probe's verdict must last.
           support = std::make_shared<detail::conditional_support>(options.conditional_writes)](
              boost::asio::any_io_executor blocking) -> std::shared_ptr<detail::byte_store> {
              return std::make_shared<detail::curl_s3_byte_store>(client, location, support,
                                                                  std::move(blocking));
          }) {}

}  // namespace functionfuse::sync
