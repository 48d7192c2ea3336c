#pragma once
// Small coroutine helpers shared by the storages and the codec.
//
// `run_blocking(ex, f)` runs `f()` on executor `ex` (the blocking pool, or on the sync path the
// calling thread's private io_context) and resumes the awaiting coroutine on its own executor.
// `gather(ops)` runs awaitables concurrently on the current executor and waits for all of them.

#include <exception>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace functionfuse::detail {

template <class T>
using awaitable = boost::asio::awaitable<T>;

/// Runs `f()` on `ex` and returns its result (or rethrows its exception) on the caller's
/// executor. `f` may reference the caller's locals: the caller is suspended until it returns.
template <class F>
auto run_blocking(boost::asio::any_io_executor ex, F f) -> awaitable<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    co_return co_await boost::asio::co_spawn(
        std::move(ex), [f = std::move(f)]() mutable -> awaitable<R> { co_return f(); },
        boost::asio::use_awaitable);
}

/// The result of one awaitable in a `gather`.
template <class T>
struct outcome {
    std::exception_ptr error;
    T result{};
};
template <>
struct outcome<void> {
    std::exception_ptr error;
};

/// Runs every awaitable in `ops` concurrently on the current executor and waits for all of
/// them (none is cancelled when another fails). Returns the outcomes in the order of `ops`.
template <class T>
awaitable<std::vector<outcome<T>>> gather(std::vector<awaitable<T>> ops) {
    std::vector<outcome<T>> out(ops.size());
    if (ops.empty())
        co_return out;
    auto ex = co_await boost::asio::this_coro::executor;
    using op_type =
        decltype(boost::asio::co_spawn(ex, std::move(ops.front()), boost::asio::deferred));
    std::vector<op_type> launched;
    launched.reserve(ops.size());
    for (auto& op : ops)
        launched.push_back(boost::asio::co_spawn(ex, std::move(op), boost::asio::deferred));
    if constexpr (std::is_void_v<T>) {
        auto [order, errors] =
            co_await boost::asio::experimental::make_parallel_group(std::move(launched))
                .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i].error = errors[i];
    } else {
        auto [order, errors, results] =
            co_await boost::asio::experimental::make_parallel_group(std::move(launched))
                .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i].error = errors[i];
            out[i].result = std::move(results[i]);
        }
    }
    co_return out;
}

/// Rethrows the first error among `outcomes`, if any.
template <class T>
void rethrow_first(const std::vector<outcome<T>>& outcomes) {
    for (const auto& o : outcomes)
        if (o.error)
            std::rethrow_exception(o.error);
}

}  // namespace functionfuse::detail
