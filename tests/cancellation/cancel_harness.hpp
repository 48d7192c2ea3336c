#pragma once
// Test harness for cancellation: runs a storage operation on a caller's io_context the way a
// task runner does (co_spawn with a cancellation slot bound), emits a terminal cancellation
// at a chosen moment, and classifies how the operation ended.

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include "functionfuse/error.hpp"

namespace ff_test {

/// How an operation ended.
enum class ending { ok, aborted, not_found, other };

inline ending classify(std::exception_ptr e, std::string& message) {
    if (!e)
        return ending::ok;
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        message = x.what();
        return x.code() == boost::asio::error::operation_aborted ? ending::aborted : ending::other;
    } catch (const functionfuse::not_found& x) {
        message = x.what();
        return ending::not_found;
    } catch (const std::exception& x) {
        message = x.what();
        return ending::other;
    }
}

/// Whether `e` is Asio's `operation_aborted`, what a cancelled operation ends with.
inline bool is_aborted(std::exception_ptr e) {
    std::string message;
    return classify(e, message) == ending::aborted;
}

/// One cancellation signal and the timer that fires it.
struct canceller {
    explicit canceller(boost::asio::io_context& ctx) : timer(ctx) {}
    boost::asio::cancellation_signal signal;
    boost::asio::steady_timer timer;
    bool finished = false;
};

/// Spawns `op` on `ctx` with a cancellation slot and emits terminal cancellation after
/// `delay` (never when `delay` is nullopt); `done` gets the outcome. Everything runs on the
/// caller's thread (the one running `ctx`), as in a single-threaded task runner.
template <class T, class Done>
void spawn_cancelled_after(boost::asio::io_context& ctx, boost::asio::awaitable<T> op,
                           std::optional<std::chrono::microseconds> delay, Done done) {
    auto c = std::make_shared<canceller>(ctx);
    if (delay) {
        c->timer.expires_after(*delay);
        c->timer.async_wait([c](boost::system::error_code ec) {
            if (!ec && !c->finished)
                c->signal.emit(boost::asio::cancellation_type::terminal);
        });
    }
    auto slot = c->signal.slot();
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ctx, std::move(op),
                              boost::asio::bind_cancellation_slot(
                                  slot, [c, done = std::move(done)](std::exception_ptr e) mutable {
                                      c->finished = true;
                                      c->timer.cancel();
                                      done(e, std::optional<int>{});
                                  }));
    } else {
        boost::asio::co_spawn(
            ctx, std::move(op),
            boost::asio::bind_cancellation_slot(
                slot, [c, done = std::move(done)](std::exception_ptr e, T v) mutable {
                    c->finished = true;
                    c->timer.cancel();
                    done(e, e ? std::optional<T>{} : std::optional<T>{std::move(v)});
                }));
    }
}

}  // namespace ff_test
