#pragma once
// The I/O shell of the connection pool: owns the idle connections and wakes queued
// acquirers; every decision is delegated to `pool_state`. Internal header (Beast types).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "async_protocols/s3/beast/connection.hpp"
#include "async_protocols/s3/beast/pool_state.hpp"

namespace functionfuse::s3 {

class connection_pool;

/// A connection on loan from the pool. Returned by destruction: as reusable only if
/// `release(true)` was called and the connection says it is reusable.
class pool_lease {
  public:
    pool_lease() = default;
    pool_lease(pool_lease&& other) noexcept;
    pool_lease& operator=(pool_lease&& other) noexcept;
    ~pool_lease();

    connection& conn() { return *connection_; }
    /// True if the connection had served an earlier request (it may have been closed by the
    /// server while idle).
    bool reused() const noexcept { return reused_; }
    /// The deadline of the request this lease serves (set when the lease was handed out).
    connection::clock::time_point deadline() const noexcept { return deadline_; }
    /// Gives the connection back; kept for reuse if `ok` and it is still reusable.
    void release(bool ok);

  private:
    friend class connection_pool;
    connection_pool* pool_ = nullptr;
    pool_state::connection_id id_ = 0;
    std::unique_ptr<connection> connection_;
    bool reused_ = false;
    connection::clock::time_point deadline_{};
};

/// Keep-alive connections to endpoints, bounded, with FIFO waiting.
/// Thread-safety: all members may be called concurrently (a mutex guards the state).
/// Cancellation: a waiting `acquire` is cancellable (terminal, through the awaiting
/// coroutine's cancellation slot): the waiter leaves the queue, and a grant that raced with
/// the cancellation is handed back (to the next waiter), so no capacity is lost.
class connection_pool {
  public:
    /// Connections are created on `io`. `tls` null: plain TCP connections. `resolve` maps
    /// host names to the IP address to connect to instead of asking DNS.
    connection_pool(boost::asio::any_io_executor io, pool_state::params params,
                    std::shared_ptr<boost::asio::ssl::context> tls,
                    std::map<std::string, std::string> resolve = {});
    ~connection_pool();

    /// Waits (FIFO) for a connection to `host:port`, then opens it if it is new. The
    /// request's `timeout` starts once a connection is granted, and covers the opening.
    /// Throws boost::system::system_error when opening fails.
    /// With `fresh`, never hands out an idle connection.
    boost::asio::awaitable<pool_lease> acquire(const std::string& host, std::uint16_t port,
                                               std::chrono::milliseconds timeout,
                                               bool fresh = false);

    /// Number of open connections (for tests and diagnostics).
    std::size_t open_connections() const;
    /// Connections lent out (in use or being opened), and acquirers waiting.
    std::size_t in_use() const;
    std::size_t waiting() const;

  private:
    friend class pool_lease;
    struct waiter_slot;

    void release(pool_state::connection_id id, std::unique_ptr<connection> conn, bool reusable);
    /// Under the lock: drops closed connections and delivers grants.
    void apply(const std::vector<pool_state::connection_id>& to_close);
    void deliver(const pool_state::grant& g);
    /// A waiter that gives up (its acquire was cancelled): leaves the queue, or hands back
    /// the grant it was given meanwhile.
    void withdraw(pool_state::waiter_id waiter, waiter_slot& slot);

    boost::asio::any_io_executor io_;
    mutable std::mutex mutex_;
    pool_state state_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::map<std::string, std::string> resolve_;
    std::map<pool_state::connection_id, std::unique_ptr<connection>> parked_;
    std::map<pool_state::waiter_id, std::shared_ptr<waiter_slot>> waiters_;
};

}  // namespace functionfuse::s3
