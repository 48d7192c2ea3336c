#pragma once
// How maintenance reaches a storage's insides: the byte store and codec environment of a
// storage made by `storage_factory`, and running an operation on the library's io context.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "functionfuse/error.hpp"
#include "storage/byte_store_storage.hpp"

namespace functionfuse::maintenance_detail {

/// The storage as the async byte-store storage; `error` for any other storage.
inline detail::byte_store_storage& internals(storage& s) {
    auto* b = dynamic_cast<detail::byte_store_storage*>(&s);
    if (!b)
        throw error("maintenance needs a storage made by storage_factory");
    return *b;
}

/// Runs `op` on the storage's io context; the caller resumes on its own executor.
template <class T>
boost::asio::awaitable<T> on_library(detail::byte_store_storage& s, boost::asio::awaitable<T> op) {
    co_return co_await boost::asio::co_spawn(s.executor()->io(), std::move(op),
                                             boost::asio::use_awaitable);
}

}  // namespace functionfuse::maintenance_detail
