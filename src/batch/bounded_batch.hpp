#pragma once
// The engine of save_many and read_many: `run_batch(n, options, body)` awaits `body(i)` for
// i in [0, n) on at most `max_in_flight` worker coroutines that take the next index from a
// counter, keeps each item's exception in its place, and applies the failure policy.
//
// It must run on a strand (or a single-threaded executor): the workers, the counter, the
// error slots and the cancellation signal are then touched by one thread at a time, which is
// what lets the first failure emit a cancellation into its siblings' slots (Asio's
// per-operation cancellation is not thread-safe). `batch.cpp` hops onto a strand of the
// caller's executor for that.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "functionfuse/batch.hpp"
#include "functionfuse/progress.hpp"

namespace functionfuse::detail {

/// Runs the batch; returns one exception per item (null: it succeeded). Items that never
/// started (after a cancellation, or after a failure under `cancel_others`) report
/// `operation_aborted`. `body` may reference the caller's locals: every worker has ended
/// when this returns.
template <class Body>
boost::asio::awaitable<std::vector<std::exception_ptr>> run_batch(std::size_t n,
                                                                  batch_options options,
                                                                  Body body) {
    namespace asio = boost::asio;
    std::vector<std::exception_ptr> errors(n);
    if (n == 0)
        co_return errors;
    const auto ex = co_await asio::this_coro::executor;
    progress* const observer = options.progress.get();
    if (observer)
        observer->add_items_total(n);
    std::size_t next = 0;
    bool stop = false;  // no further item starts
    asio::cancellation_signal cancel_all;
    auto stop_all = [&](asio::cancellation_type type) {
        if (stop)
            return;
        stop = true;
        cancel_all.emit(type);  // through the group to every worker's current item
    };
    auto worker = [&]() -> asio::awaitable<void> {
        while (!stop && next < n) {
            const std::size_t i = next++;
            try {
                co_await body(i);
            } catch (...) {
                errors[i] = std::current_exception();
                if (options.on_failure == batch_failure::cancel_others)
                    stop_all(asio::cancellation_type::terminal);
            }
            if (observer)
                observer->add_item_done();  // ended, whatever its outcome
        }
    };

    // The caller's terminal cancellation stops the batch the same way.
    auto state = co_await asio::this_coro::cancellation_state;
    asio::cancellation_slot caller = state.slot();
    if (caller.is_connected()) {
        caller.assign([&](asio::cancellation_type type) {
            if ((type & asio::cancellation_type::terminal) != asio::cancellation_type::none)
                stop_all(asio::cancellation_type::terminal);
        });
    }

    const std::size_t width = std::clamp<std::size_t>(options.max_in_flight, 1, n);
    using op_type = decltype(asio::co_spawn(ex, worker(), asio::deferred));
    std::vector<op_type> ops;
    ops.reserve(width);
    for (std::size_t w = 0; w < width; ++w)
        ops.push_back(asio::co_spawn(ex, worker(), asio::deferred));
    auto group = asio::experimental::make_parallel_group(std::move(ops));
    // Bound to our own signal, not the caller's slot: a cancellation must not cut the wait
    // short, since the workers reference this frame until they end.
    auto token = asio::bind_cancellation_slot(cancel_all.slot(), asio::use_awaitable);
    const asio::experimental::wait_for_all all;  // a named local (GCC 12 coroutine rule)
    co_await std::move(group).async_wait(all, token);
    if (caller.is_connected())
        caller.clear();
    for (std::size_t i = next; i < n; ++i)
        errors[i] =
            std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
    co_return errors;
}

}  // namespace functionfuse::detail
