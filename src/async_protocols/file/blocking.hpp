#pragma once
// Running blocking work from a coroutine: `run_blocking` hops onto the protocol's blocking
// executor (the shared pool, or the calling thread on the sync path), runs `f` there and
// resumes the caller on its own executor. `run_parallel` runs `body(i)` for i in [0, n) on
// `workers` coroutines of the blocking executor, which pull indices from a shared counter —
// the pool's threads stay busy without queueing one job per chunk and without ever blocking
// a pool thread on another pool job (which could deadlock a small pool).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace functionfuse::file_detail {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(boost::asio::any_io_executor ex,
                                                              F f) {
    using R = std::invoke_result_t<F&>;
    // Named, not a temporary inside the co_await expression: GCC 12 may destroy temporaries
    // with init-captures twice there.
    auto task = [f = std::move(f)]() mutable -> boost::asio::awaitable<R> { co_return f(); };
    if constexpr (std::is_void_v<R>) {
        co_await boost::asio::co_spawn(ex, std::move(task), boost::asio::use_awaitable);
    } else {
        R r = co_await boost::asio::co_spawn(ex, std::move(task), boost::asio::use_awaitable);
        co_return r;
    }
}

/// Default number of parallel workers: the machine's cores.
inline std::size_t default_workers() {
    return std::max<std::size_t>(std::thread::hardware_concurrency(), 1);
}

/// Runs `body(i)` for every i in [0, n) on up to `workers` coroutines spawned on `ex`.
/// Rethrows the first exception after every worker has stopped (the others stop early).
template <class Body>
boost::asio::awaitable<void> run_parallel(boost::asio::any_io_executor ex, std::size_t n,
                                          std::size_t workers, Body body) {
    if (n == 0)
        co_return;
    struct shared_state {
        std::atomic<std::size_t> next{0};
        std::atomic<bool> failed{false};
    };
    auto state = std::make_shared<shared_state>();
    auto shared_body = std::make_shared<Body>(std::move(body));
    auto worker = [state, shared_body, n]() -> boost::asio::awaitable<void> {
        try {
            for (std::size_t i; !state->failed && (i = state->next++) < n;)
                (*shared_body)(i);
        } catch (...) {
            state->failed = true;
            throw;
        }
        co_return;
    };
    workers = std::clamp<std::size_t>(workers, 1, n);
    using op_type = decltype(boost::asio::co_spawn(ex, worker(), boost::asio::deferred));
    std::vector<op_type> ops;
    ops.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w)
        ops.push_back(boost::asio::co_spawn(ex, worker(), boost::asio::deferred));
    auto group = boost::asio::experimental::make_parallel_group(std::move(ops));
    auto result = co_await std::move(group).async_wait(boost::asio::experimental::wait_for_all(),
                                                       boost::asio::use_awaitable);
    for (auto& e : std::get<1>(result))
        if (e)
            std::rethrow_exception(e);
}

}  // namespace functionfuse::file_detail
