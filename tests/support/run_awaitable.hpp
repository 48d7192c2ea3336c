#pragma once
// Test helper: runs an awaitable to completion on an io_context and returns its result (or
// rethrows its exception), so a TEST body can stay synchronous.
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace ff_test {

/// Runs `aw` on `ctx` until it completes. `ctx` may be reused (it is restarted), so objects
/// bound to it, such as S3 clients, can outlive one call.
template <class T>
T run_on(boost::asio::io_context& ctx, boost::asio::awaitable<T> aw) {
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e) {
            error = e;
            result.emplace(0);
        });
    } else {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
        });
    }
    ctx.restart();
    ctx.run();
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

/// Runs `aw` on a private io_context.
template <class T>
T run_awaitable(boost::asio::awaitable<T> aw) {
    boost::asio::io_context ctx;
    return run_on(ctx, std::move(aw));
}

}  // namespace ff_test
