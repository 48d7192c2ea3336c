#pragma once
// Test helper: runs `op(0) … op(count-1)` with at most `width` in flight on the current
// executor and rethrows the first failure.
#include <cstddef>
#include <exception>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ff_test {

template <class Op>
boost::asio::awaitable<void> for_each_concurrently(std::size_t count, std::size_t width, Op op) {
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    std::size_t next = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < count)
            co_await op(next++);
    };
    std::vector<decltype(asio::co_spawn(ex, worker(), asio::deferred))> ops;
    for (std::size_t i = 0; i < width; ++i)
        ops.push_back(asio::co_spawn(ex, worker(), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (auto& e : errors) {
        if (e)
            std::rethrow_exception(e);
    }
}

}  // namespace ff_test
