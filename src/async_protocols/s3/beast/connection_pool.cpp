// Design: the pool's logic lives in `pool_state` (sans-I/O); this shell maps its connection
// ids to live `connection` objects and its waiter ids to wake-up channels. A grant is written
// into the waiter's slot under the pool's mutex; the channel (room for one message, safe to
// send to from any thread) only wakes the waiter. The slot, not the channel, is the record of
// the grant because Boost 1.81's channel drops a message sent after a receive was cancelled
// (cancel_by_key leaves a buffered channel in its "block" state, so try_send fails): a waiter
// cancelled just before a connection was handed to it would otherwise lose that connection
// for good, and the pool its capacity. Connections given to a waiter (or parked idle) stay in
// `parked_` until their new owner takes them. Idle expiry is applied lazily whenever the pool
// is used, which is when a stale connection would matter.
#include "async_protocols/s3/beast/connection_pool.hpp"

#include <optional>

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"

namespace functionfuse::s3 {

namespace asio = boost::asio;

struct connection_pool::waiter_slot {
    explicit waiter_slot(asio::any_io_executor ex) : channel(std::move(ex), 1) {}
    /// The grant handed to this waiter; written and read under the pool's mutex.
    std::optional<pool_state::grant> granted;
    /// Wakes the waiter; the message repeats the grant, which `granted` holds anyway.
    asio::experimental::concurrent_channel<void(boost::system::error_code, pool_state::grant)>
        channel;
};

pool_lease::pool_lease(pool_lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      id_(other.id_),
      connection_(std::move(other.connection_)),
      reused_(other.reused_),
      deadline_(other.deadline_) {}

pool_lease& pool_lease::operator=(pool_lease&& other) noexcept {
    if (this != &other) {
        release(false);
        pool_ = std::exchange(other.pool_, nullptr);
        id_ = other.id_;
        connection_ = std::move(other.connection_);
        reused_ = other.reused_;
        deadline_ = other.deadline_;
    }
    return *this;
}

pool_lease::~pool_lease() {
    release(false);
}

void pool_lease::release(bool ok) {
    if (!pool_)
        return;
    auto* pool = std::exchange(pool_, nullptr);
    const bool reusable = ok && connection_ && connection_->reusable();
    pool->release(id_, std::move(connection_), reusable);
}

connection_pool::connection_pool(asio::any_io_executor io, pool_state::params params,
                                 std::shared_ptr<asio::ssl::context> tls,
                                 std::map<std::string, std::string> resolve)
    : io_(std::move(io)), state_(params), tls_(std::move(tls)), resolve_(std::move(resolve)) {}

connection_pool::~connection_pool() = default;

std::size_t connection_pool::open_connections() const {
    std::lock_guard lock(mutex_);
    return state_.open_connections();
}

std::size_t connection_pool::in_use() const {
    std::lock_guard lock(mutex_);
    return state_.open_connections() - state_.idle_connections();
}

std::size_t connection_pool::waiting() const {
    std::lock_guard lock(mutex_);
    return state_.waiting();
}

void connection_pool::apply(const std::vector<pool_state::connection_id>& to_close) {
    for (auto id : to_close)
        parked_.erase(id);  // destroying a connection closes its socket
}

void connection_pool::deliver(const pool_state::grant& g) {
    auto it = waiters_.find(g.waiter);
    if (it == waiters_.end())
        return;
    auto slot = std::move(it->second);
    waiters_.erase(it);
    slot->granted = g;
    // Fails only if the waiter's receive was cancelled meanwhile (see the file comment): the
    // waiter then finds the grant in `granted` when it withdraws, and hands it back.
    slot->channel.try_send(boost::system::error_code{}, g);
}

void connection_pool::release(pool_state::connection_id id, std::unique_ptr<connection> conn,
                              bool reusable) {
    std::lock_guard lock(mutex_);
    auto result = state_.release(id, reusable, pool_state::clock::now());
    if (reusable && conn)
        parked_[id] = std::move(conn);
    apply(result.to_close);
    if (result.granted)
        deliver(*result.granted);
}

void connection_pool::withdraw(pool_state::waiter_id waiter, waiter_slot& slot) {
    std::unique_ptr<connection> granted_conn;
    pool_state::grant granted;
    {
        std::lock_guard lock(mutex_);
        if (state_.cancel_wait(waiter)) {
            waiters_.erase(waiter);
            return;  // left the queue; nobody will deliver to it
        }
        // Too late: a grant was delivered (under this lock, so `granted` is set now, whether
        // or not the channel still took the wake-up message).
        if (!slot.granted) {
            detail::log(log_level::error, "s3.pool",
                        "a withdrawn waiter was neither queued nor granted a connection");
            return;
        }
        granted = *slot.granted;
        if (granted.what == pool_state::action::reuse) {
            auto it = parked_.find(granted.connection);
            if (it != parked_.end()) {
                granted_conn = std::move(it->second);
                parked_.erase(it);
            }
        }
    }
    detail::log(log_level::trace, "s3.pool",
                "a cancelled waiter hands back the connection it was just granted");
    // Handed back as if used: an idle connection stays idle, an unopened slot is freed, and
    // either goes on to the next waiter.
    const bool idle = granted_conn != nullptr;
    release(granted.connection, std::move(granted_conn), idle);
}

asio::awaitable<pool_lease> connection_pool::acquire(const std::string& host, std::uint16_t port,
                                                     std::chrono::milliseconds timeout,
                                                     bool fresh) {
    auto executor = co_await asio::this_coro::executor;
    const std::string endpoint = host + ":" + std::to_string(port);
    pool_state::grant decision;
    std::shared_ptr<waiter_slot> slot;
    {
        std::lock_guard lock(mutex_);
        const auto now = pool_state::clock::now();
        auto expired = state_.expire(now);
        apply(expired.to_close);
        for (const auto& g : expired.granted)
            deliver(g);
        auto result = state_.acquire(endpoint, now, fresh);
        apply(result.to_close);
        decision = result.decision;
        if (decision.what == pool_state::action::wait) {
            slot = std::make_shared<waiter_slot>(executor);
            waiters_[decision.waiter] = slot;
        }
    }
    if (slot) {
        std::exception_ptr interrupted;
        try {
            decision = co_await slot->channel.async_receive(asio::use_awaitable);
        } catch (...) {
            interrupted = std::current_exception();  // cancelled while queued (or before)
        }
        if (interrupted) {
            withdraw(decision.waiter, *slot);
            // The channel reports its own "cancelled" code; callers see Asio's usual one.
            throw boost::system::system_error(asio::error::operation_aborted);
        }
    }

    pool_lease lease;
    lease.pool_ = this;
    lease.id_ = decision.connection;
    lease.deadline_ = connection::clock::now() + timeout;
    if (decision.what == pool_state::action::reuse) {
        std::lock_guard lock(mutex_);
        auto it = parked_.find(decision.connection);
        if (it != parked_.end()) {
            lease.connection_ = std::move(it->second);
            parked_.erase(it);
            lease.reused_ = true;
            co_return lease;
        }
        // The parked connection vanished (cannot happen by the state's invariants); open anew.
    }
    lease.connection_ = std::make_unique<connection>(io_, tls_);
    const auto pinned = resolve_.find(host);
    const std::string_view address = pinned == resolve_.end() ? "" : pinned->second;
    co_await lease.connection_->open(host, address, port,
                                     lease.deadline_);  // on failure the lease frees the slot
    co_return lease;
}

}  // namespace functionfuse::s3
