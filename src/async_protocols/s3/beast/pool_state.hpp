#pragma once
// The connection pool's bookkeeping as a sans-I/O state machine: it decides whether an
// acquisition reuses an idle connection, opens a new one or waits, who a released connection
// goes to, and which idle connections have expired. It owns no sockets and never blocks, so
// it is tested without a network (tests/s3/pool_state_test.cpp); `connection_pool` is the thin
// I/O shell around it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace functionfuse::s3 {

/// Bookkeeping of a bounded pool of keep-alive connections to one or more endpoints
/// ("host:port" strings; virtual-hosted buckets are distinct endpoints).
///
/// Invariants: at most `max_connections` connections exist (idle + in use + being opened);
/// waiters exist only while no connection can be handed out; waiters are served strictly in
/// arrival order (FIFO), also across endpoints.
///
/// Thread-safety: none; the shell serializes calls.
class pool_state {
  public:
    using clock = std::chrono::steady_clock;
    using connection_id = std::uint64_t;
    using waiter_id = std::uint64_t;

    struct params {
        /// Most connections open at once (idle + in use + connecting). At least 1.
        std::size_t max_connections = 64;
        /// An idle connection older than this is closed instead of reused.
        clock::duration idle_timeout = std::chrono::seconds(20);
    };

    /// What the caller of `acquire` (or a woken waiter) must do.
    enum class action {
        reuse,  ///< use the idle connection `connection`
        open,   ///< open a new connection and register it as `connection`
        wait,   ///< wait until `release`/`expire` hands out a grant for `waiter`
    };

    /// A decision for one acquirer: for `reuse`/`open` the connection id is set; for `wait`
    /// the waiter id is set.
    struct grant {
        action what = action::wait;
        connection_id connection = 0;
        waiter_id waiter = 0;
    };

    /// The result of `acquire`: the decision plus idle connections the shell must close now
    /// (expired ones, or one evicted to make room for another endpoint).
    struct acquire_result {
        grant decision;
        std::vector<connection_id> to_close;
    };

    /// The result of `release`: a grant for the first waiter, if any, plus connections to
    /// close (the released one when it is not reusable or not wanted).
    struct release_result {
        std::optional<grant> granted;  ///< `waiter` names who gets it
        std::vector<connection_id> to_close;
    };

    explicit pool_state(params p);

    /// Asks for a connection to `endpoint` at time `now`. With `fresh`, idle connections are
    /// not reused (one may be evicted to make room): the caller needs a new connection, e.g.
    /// to retry a request whose reused connection turned out to be closed by the server.
    acquire_result acquire(std::string_view endpoint, clock::time_point now, bool fresh = false);

    /// Gives back connection `id` (in use or being opened). `reusable` is false when the
    /// connection failed, was closed by the server or the response asked to close it.
    release_result release(connection_id id, bool reusable, clock::time_point now);

    /// Withdraws waiter `id`. Returns false if it is no longer waiting (it was granted a
    /// connection, which the caller must then release).
    bool cancel_wait(waiter_id id);

    /// Idle connections past their idle timeout at `now`; they are forgotten and must be
    /// closed by the caller. Freed capacity is granted to waiters via the returned grants.
    struct expire_result {
        std::vector<connection_id> to_close;
        std::vector<grant> granted;
    };
    expire_result expire(clock::time_point now);

    /// When the next idle connection expires (none if there are no idle connections).
    std::optional<clock::time_point> next_expiry() const;

    std::size_t open_connections() const noexcept { return connections_.size(); }
    std::size_t idle_connections() const noexcept;
    std::size_t waiting() const noexcept { return waiters_.size(); }

  private:
    struct connection_info {
        std::string endpoint;
        bool idle = false;
        clock::time_point idle_since{};
    };
    struct waiter {
        waiter_id id;
        std::string endpoint;
        bool fresh = false;
    };

    std::optional<connection_id> take_idle(std::string_view endpoint);
    std::optional<connection_id> oldest_idle() const;
    connection_id add_connection(std::string_view endpoint);
    std::vector<connection_id> drop_expired(clock::time_point now);
    /// Hands freed capacity (or an idle connection) to the first waiter, if any.
    std::optional<grant> serve_first_waiter(std::vector<connection_id>& to_close);

    params params_;
    std::map<connection_id, connection_info> connections_;
    std::deque<waiter> waiters_;
    connection_id next_connection_ = 1;
    waiter_id next_waiter_ = 1;
};

}  // namespace functionfuse::s3
