#pragma once
// Holds the current credentials of a provider and refreshes temporary ones ahead of their
// expiration, as the AWS SDKs do:
// - from `prefetch` before expiration (5 minutes, or half the lifetime when that is shorter),
//   a refresh starts in the background (on the cache's own thread) while requests go on
//   with the still-valid credentials;
// - from `stale` before expiration (1 minute, or a tenth of the lifetime) the credentials are
//   no longer handed out: callers wait for a refresh;
// - only one refresh runs at a time; every caller that needs it waits for that one;
// - a request the server refused as expired (`invalidate`) forces the next caller to refresh.
// Long-term credentials (no expiration) are fetched once and never refreshed.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// Thread-safe cache of one provider's credentials.
class credentials_cache {
  public:
    /// Takes `first` as already fetched (resolution fetched it to know the chain works), or
    /// fetches at the first use when it is empty.
    explicit credentials_cache(std::shared_ptr<credentials_provider> provider,
                               std::optional<timed_credentials> first = std::nullopt);
    /// Waits for a background refresh still running (bounded by the provider's timeouts).
    ~credentials_cache();
    credentials_cache(const credentials_cache&) = delete;
    credentials_cache& operator=(const credentials_cache&) = delete;

    /// Credentials that may be used now, without blocking; starts a background refresh when
    /// they are near expiration. nullopt when none are usable: call `current` (off the I/O
    /// thread: `async_current`).
    std::optional<credentials> try_current();
    /// Usable credentials, refreshing (blocking) when needed. Throws the provider's error
    /// (`config_error` / `s3_error`, never holding a secret) when the refresh fails.
    credentials current();
    /// The server refused `used` as expired (ExpiredToken, InvalidToken,
    /// TokenRefreshRequired): the next caller refreshes, unless a newer set is already held.
    void invalidate(const credentials& used);
    /// True when the credentials are temporary (a refresh and a retry can help).
    bool temporary();
    /// The provider's description (no secret).
    std::string describe() const { return provider_->describe(); }
    /// How many fetches the provider has done (for tests and diagnostics).
    std::size_t fetches() const;
    /// The executor of the cache's own thread (refreshes and blocking waits run there).
    boost::asio::any_io_executor background_executor() { return background_.get_executor(); }

  private:
    using clock = std::chrono::system_clock;
    bool usable(clock::time_point now) const;  // needs mutex_
    bool due(clock::time_point now) const;     // needs mutex_
    void refresh_locked(std::unique_lock<std::mutex>& lock);
    void store(timed_credentials fresh);  // needs mutex_

    std::shared_ptr<credentials_provider> provider_;
    mutable std::mutex mutex_;
    std::condition_variable refreshed_;
    std::optional<timed_credentials> current_;
    clock::time_point prefetch_at_{}, stale_at_{};
    clock::time_point next_background_try_{};
    bool refreshing_ = false;
    bool forced_stale_ = false;
    std::size_t generation_ = 0;  // completed refresh attempts
    std::exception_ptr last_error_;
    std::size_t fetches_ = 0;
    boost::asio::thread_pool background_{1};
};

/// `cache.current()` for a coroutine: returns at once when `try_current` has credentials,
/// else waits for the refresh on the cache's own thread, so the I/O thread never blocks.
/// Resumes on the awaiting coroutine's executor. Cancellation: not cancellable; the refresh
/// is bounded by the provider's timeouts. `cache` must outlive the awaitable.
boost::asio::awaitable<credentials> async_current(credentials_cache& cache);

}  // namespace functionfuse::s3
