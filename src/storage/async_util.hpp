#pragma once
// The coroutine helpers of every module, once:
//
// `run_blocking(ex, f)` runs `f()` on executor `ex` (the blocking pool, or on the sync path the
// calling thread's private io_context) and resumes the awaiting coroutine on its own executor.
// `gather(ops)` runs awaitables concurrently on the current executor and waits for all of them.
// `for_each_bounded(ex, n, width, body)` is the one way to fan out bounded work: `body(i)` for
// i in [0, n) on `width` coroutines of `ex` that pull indices from a shared counter, so the
// pool stays busy without one queued job per item and without ever blocking a pool thread on
// another pool job (which could deadlock a small pool).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
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
    // Named, not created inside the co_await expression (GCC 12 coroutine rule,
    // CONTRIBUTING.md): a lambda with init-captures made there can be destroyed twice.
    auto task = [f = std::move(f)]() mutable -> awaitable<R> { co_return f(); };
    if constexpr (std::is_void_v<R>) {
        co_await boost::asio::co_spawn(std::move(ex), std::move(task), boost::asio::use_awaitable);
    } else {
        R r = co_await boost::asio::co_spawn(std::move(ex), std::move(task),
                                             boost::asio::use_awaitable);
        co_return r;
    }
}

/// Default width of blocking fan-out: the machine's cores.
inline std::size_t default_workers() {
    return std::max<std::size_t>(std::thread::hardware_concurrency(), 1);
}

/// Runs `body(i)` for every i in [0, n) on at most `width` coroutines spawned on `ex`.
/// `body` either returns void (blocking work: pass the blocking pool as `ex`) or an
/// `awaitable<void>` (I/O: pass the caller's executor). After the first failure no new index
/// starts; every worker is awaited before the first exception is rethrown, so nothing runs on
/// after this returns (which is why workers may reference the caller's locals).
template <class Body>
awaitable<void> for_each_bounded(boost::asio::any_io_executor ex, std::size_t n, std::size_t width,
                                 Body body) {
    if (n == 0)
        co_return;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&]() -> awaitable<void> {
        try {
            for (std::size_t i; !failed && (i = next++) < n;) {
                if constexpr (std::is_void_v<std::invoke_result_t<Body&, std::size_t>>)
                    body(i);
                else
                    co_await body(i);
            }
        } catch (...) {
            failed = true;
            throw;
        }
    };
    width = std::clamp<std::size_t>(width, 1, n);
    using op_type = decltype(boost::asio::co_spawn(ex, worker(), boost::asio::deferred));
    std::vector<op_type> ops;
    ops.reserve(width);
    for (std::size_t w = 0; w < width; ++w)
        ops.push_back(boost::asio::co_spawn(ex, worker(), boost::asio::deferred));
    auto group = boost::asio::experimental::make_parallel_group(std::move(ops));
    auto [order, errors] = co_await std::move(group).async_wait(
        boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
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
