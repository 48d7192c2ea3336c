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
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace functionfuse::detail {

template <class T>
using awaitable = boost::asio::awaitable<T>;

/// Whether `e` is Asio's `operation_aborted` (what a cancelled operation ends with).
inline bool is_operation_aborted(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        return x.code() == boost::asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

/// The exception a cancelled operation ends with: Asio's convention, `operation_aborted`.
[[noreturn]] inline void throw_operation_aborted() {
    throw boost::system::system_error(boost::asio::error::operation_aborted);
}

namespace blocking_detail {

/// The completion signature of a blocking job returning `R`.
template <class R>
struct signature {
    using type = void(std::exception_ptr, std::optional<R>);
};
template <>
struct signature<void> {
    using type = void(std::exception_ptr);
};

/// Posts `f` to `ex` and completes on the handler's executor. A terminal cancellation that
/// arrives before the job starts makes it complete with `operation_aborted` without running
/// `f`; one that arrives later is too late (the job finishes, as blocking calls cannot be
/// interrupted). The flag is atomic because the signal is emitted on the caller's executor
/// while the job starts on a pool thread.
struct initiation {
    boost::asio::any_io_executor ex;

    template <class Handler, class F>
    void operator()(Handler&& handler, F f) const {
        using R = std::invoke_result_t<F&>;
        std::shared_ptr<std::atomic<bool>> stop;
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {  // nothing to allocate when no cancellation is bound
            stop = std::make_shared<std::atomic<bool>>(false);
            slot.assign([stop](boost::asio::cancellation_type type) {
                if ((type & boost::asio::cancellation_type::terminal) !=
                    boost::asio::cancellation_type::none)
                    stop->store(true, std::memory_order_relaxed);
            });
        }
        auto home = boost::asio::get_associated_executor(handler, ex);
        auto work = boost::asio::make_work_guard(home);
        auto job = [h = std::forward<Handler>(handler), f = std::move(f), stop, slot,
                    work = std::move(work)]() mutable {
            std::exception_ptr error;
            std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
            if (stop && stop->load(std::memory_order_relaxed)) {
                error = std::make_exception_ptr(
                    boost::system::system_error(boost::asio::error::operation_aborted));
            } else {
                try {
                    if constexpr (std::is_void_v<R>)
                        f();
                    else
                        result.emplace(f());
                } catch (...) {
                    error = std::current_exception();
                }
            }
            auto done = [h = std::move(h), error, result = std::move(result), slot]() mutable {
                if (slot.is_connected())
                    slot.clear();  // on the caller's executor, where the signal is emitted
                if constexpr (std::is_void_v<R>)
                    std::move(h)(error);
                else
                    std::move(h)(error, std::move(result));
            };
            auto to = work.get_executor();
            work.reset();
            boost::asio::dispatch(to, std::move(done));
        };
        boost::asio::post(ex, std::move(job));
    }
};

}  // namespace blocking_detail

/// Runs `f()` on `ex` and returns its result (or rethrows its exception) on the caller's
/// executor. `f` may reference the caller's locals: the caller is suspended until it returns.
/// Cancellation (terminal): if the caller's operation is cancelled before `f` starts, `f`
/// never runs and this throws `operation_aborted`; once started, `f` runs to its end.
template <class F>
auto run_blocking(boost::asio::any_io_executor ex, F f) -> awaitable<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    using sig = typename blocking_detail::signature<R>::type;
    const blocking_detail::initiation init{std::move(ex)};
    if constexpr (std::is_void_v<R>) {
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, sig>(
            init, boost::asio::use_awaitable, std::move(f));
    } else {
        std::optional<R> r =
            co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, sig>(
                init, boost::asio::use_awaitable, std::move(f));
        co_return std::move(*r);
    }
}

namespace hop_detail {

/// What the caller's cancellation handler and the hopped coroutine's completion share.
/// `done` and `signal` are only touched on the target executor.
struct shared_state {
    explicit shared_state(const boost::asio::any_io_executor& ex) : deadline(ex) {}
    boost::asio::cancellation_signal signal;
    boost::asio::steady_timer deadline;  // armed only with a timeout
    bool done = false;
};

struct initiation {
    boost::asio::any_io_executor ex;
    std::chrono::milliseconds timeout{0};        // 0: none
    std::shared_ptr<std::atomic<bool>> expired;  // set when the timeout cancelled `op`

    template <class Handler, class T>
    void operator()(Handler&& handler, awaitable<T> op) const {
        auto state = std::make_shared<shared_state>(ex);
        if (timeout.count() > 0) {
            // The same terminal cancellation as the caller's, emitted by a timer on `ex`.
            state->deadline.expires_after(timeout);
            state->deadline.async_wait([state, expired = expired](boost::system::error_code ec) {
                if (ec || state->done)
                    return;
                if (expired)
                    expired->store(true);
                state->signal.emit(boost::asio::cancellation_type::terminal);
            });
        }
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([state, ex = ex](boost::asio::cancellation_type type) {
                // Emitted on the caller's executor, delivered on `ex` where `op` runs (and
                // dropped if `op` has finished meanwhile): the shared state outlives both.
                boost::asio::post(ex, [state, type] {
                    if (!state->done)
                        state->signal.emit(type);
                });
            });
        }
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler, ex));
        auto done = [state, h = std::forward<Handler>(handler), slot, work = std::move(work)](
                        std::exception_ptr e, auto... result) mutable {
            state->done = true;  // on `ex`, as the emission
            state->deadline.cancel();
            auto to = work.get_executor();
            work.reset();
            boost::asio::dispatch(to, [h = std::move(h), slot, e,
                                       result = std::make_tuple(std::move(result)...)]() mutable {
                if (slot.is_connected())
                    slot.clear();  // on the caller's executor, where the caller emits
                std::apply([&](auto&&... r) { std::move(h)(e, std::move(r)...); },
                           std::move(result));
            });
        };
        boost::asio::co_spawn(
            ex, std::move(op),
            boost::asio::bind_cancellation_slot(state->signal.slot(), std::move(done)));
    }
};

template <class T>
struct signature {
    using type = void(std::exception_ptr, T);
};
template <>
struct signature<void> {
    using type = void(std::exception_ptr);
};

}  // namespace hop_detail

/// Runs `op` as a coroutine of its own on `ex` and resumes the caller on the caller's
/// executor, forwarding the caller's cancellation slot to it. Unlike `co_spawn(ex, op,
/// use_awaitable)` (whose cancellation handler, in Boost 1.81, points into the caller's slot
/// and may run after the caller has moved on), the signal is delivered through state shared
/// by both sides. Costs one small allocation more than co_spawn; `T` must be default
/// constructible (co_spawn's completion signature).
template <class T>
awaitable<T> hop_to(boost::asio::any_io_executor ex, awaitable<T> op) {
    using sig = typename hop_detail::signature<T>::type;
    // Every member named (no timeout, no expiry flag): -Wmissing-field-initializers.
    const hop_detail::initiation init{std::move(ex), std::chrono::milliseconds{0}, nullptr};
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, sig>(
        init, boost::asio::use_awaitable, std::move(op));
}

/// As `hop_to`, and `op` is cancelled (terminally, as by the caller) once `timeout` has passed
/// since the hop; `*expired` then reads true after this returns or throws.
template <class T>
awaitable<T> hop_to(boost::asio::any_io_executor ex, awaitable<T> op,
                    std::chrono::milliseconds timeout, std::shared_ptr<std::atomic<bool>> expired) {
    using sig = typename hop_detail::signature<T>::type;
    const hop_detail::initiation init{std::move(ex), timeout, std::move(expired)};
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, sig>(
        init, boost::asio::use_awaitable, std::move(op));
}

/// Runs `op` to its end as a coroutine of its own on the caller's executor, with no
/// cancellation slot: the caller's cancellation does not reach it. Await it through
/// `FF_AWAIT_SHIELDED`, which also stops the awaiting coroutine from throwing
/// `operation_aborted` at that very co_await (Asio throws at every co_await of a cancelled
/// coroutine). For cleanup after a failure or a cancellation (removing what a save already
/// stored, aborting a multipart upload), which the cancellation that caused it must not cut
/// short.
template <class T>
awaitable<T> shielded(awaitable<T> op) {
    auto ex = co_await boost::asio::this_coro::executor;
    // Named locals, not temporaries in the co_await (GCC 12 coroutine rule, CONTRIBUTING.md).
    auto token = boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(),
                                                     boost::asio::use_awaitable);
    auto spawned = boost::asio::co_spawn(ex, std::move(op), token);
    co_return co_await std::move(spawned);
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
/// Cancellation (terminal): no new index starts; bodies already running finish (blocking ones)
/// or are cancelled with the caller (awaitable ones); then this throws `operation_aborted`.
template <class Body>
awaitable<void> for_each_bounded(boost::asio::any_io_executor ex, std::size_t n, std::size_t width,
                                 Body body) {
    if (n == 0)
        co_return;
    constexpr bool blocking = std::is_void_v<std::invoke_result_t<Body&, std::size_t>>;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&]() -> awaitable<void> {
        try {
            for (std::size_t i; !failed.load(std::memory_order_relaxed) && (i = next++) < n;) {
                if constexpr (blocking)
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

    // The caller's cancellation stops new indices through `failed`. Awaitable bodies also get
    // the signal (they run on the caller's executor, where it is emitted); blocking workers on
    // the pool only see the flag, so their cancellation state is never written from another
    // thread while they run. Nothing of this is set up when the caller bound no cancellation.
    auto state = co_await boost::asio::this_coro::cancellation_state;
    boost::asio::cancellation_slot caller = state.slot();
    boost::asio::cancellation_signal forward;
    bool stopped = false;
    if (caller.is_connected()) {
        caller.assign([&](boost::asio::cancellation_type type) {
            if ((type & boost::asio::cancellation_type::terminal) ==
                boost::asio::cancellation_type::none)
                return;
            stopped = true;
            failed = true;
            if constexpr (!blocking)
                forward.emit(type);
        });
    }
    auto token = boost::asio::bind_cancellation_slot(
        blocking ? boost::asio::cancellation_slot() : forward.slot(), boost::asio::use_awaitable);
    std::exception_ptr first;
    try {
        auto [order, errors] =
            co_await std::move(group).async_wait(boost::asio::experimental::wait_for_all(), token);
        for (auto& e : errors)
            if (e && !first)
                first = e;
    } catch (...) {
        first = std::current_exception();
    }
    if (caller.is_connected())
        caller.clear();
    if (stopped || state.cancelled() != boost::asio::cancellation_type::none)
        throw_operation_aborted();
    if (first)
        std::rethrow_exception(first);
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

/// `co_await shielded(op)` from a coroutine that may have been cancelled: turns the
/// coroutine's throw-if-cancelled off around the await (restoring it after), so the cleanup
/// runs instead of the await throwing `operation_aborted`; rethrows `op`'s own exception.
#define FF_AWAIT_SHIELDED(...)                                                             \
    do {                                                                                   \
        const bool ff_throwing_ = co_await ::boost::asio::this_coro::throw_if_cancelled(); \
        co_await ::boost::asio::this_coro::throw_if_cancelled(false);                      \
        ::std::exception_ptr ff_failure_;                                                  \
        try {                                                                              \
            co_await ::functionfuse::detail::shielded(__VA_ARGS__);                        \
        } catch (...) {                                                                    \
            ff_failure_ = ::std::current_exception();                                      \
        }                                                                                  \
        co_await ::boost::asio::this_coro::throw_if_cancelled(ff_throwing_);               \
        if (ff_failure_)                                                                   \
            ::std::rethrow_exception(ff_failure_);                                         \
    } while (false)
