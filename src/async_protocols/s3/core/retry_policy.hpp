#pragma once
// Which failures of an S3 request are worth another attempt, and how long to wait before it.
// Pure: no clock, no I/O; the random source is injected so tests are deterministic.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace functionfuse::s3 {

/// Retry settings. Defaults follow the AWS SDKs' "standard" mode, with a longer budget.
struct retry_params {
    /// Attempts in total, the first included. 1 disables retries.
    int max_attempts = 8;
    /// Backoff before retry n (n = 1, 2, ...) is uniform in [0, min(cap, base * 2^(n-1))].
    std::chrono::milliseconds base_delay{50};
    std::chrono::milliseconds max_delay{20'000};
};

/// What went wrong with one attempt, as the retry decision sees it.
enum class failure_kind {
    http_status,       ///< the server answered with an error status (see status and code)
    connection_reset,  ///< reset, broken pipe, premature end of stream, truncated message
    timeout,           ///< the attempt ran past its timeout (connect, TLS, write or read)
    /// No TCP connection could be made: refused (nothing listens, e.g. a server restarting),
    /// host or network unreachable. Nothing was sent, so another attempt is always safe.
    connect_failed,
    other_transport,  ///< TLS failures, name resolution and the like
};

/// Exponential backoff with full jitter over a fixed set of retryable failures:
/// HTTP 500/502/503/504, S3 codes SlowDown, RequestTimeout, RequestTimeTooSkewed,
/// InternalError, connection reset, timeout and a failed connect (refused, unreachable).
/// Never any other 4xx, never TLS or name-resolution failures.
/// Thread-safety: const members are safe to call concurrently if the RNG is.
class retry_policy {
  public:
    /// Returns a uniformly distributed value in [0, 1).
    using random_source = std::function<double()>;

    /// Uses a thread-local std::mt19937_64 seeded from std::random_device.
    explicit retry_policy(retry_params params = {});
    retry_policy(retry_params params, random_source rng);

    /// True if a failure of this kind (for an HTTP answer: its status and S3 error code) is
    /// transient.
    static bool is_retryable(failure_kind kind, int http_status, std::string_view s3_code);

    /// True if attempt number `attempt` (1-based) failed in a retryable way and another
    /// attempt is allowed.
    bool should_retry(int attempt, failure_kind kind, int http_status,
                      std::string_view s3_code) const;

    /// The delay before retry number `retry` (1 = the wait after the first failed attempt).
    std::chrono::milliseconds backoff(int retry) const;

    const retry_params& params() const noexcept { return params_; }

  private:
    retry_params params_;
    random_source rng_;
};

/// True for the S3 codes that say the request's temporary credentials expired or were
/// revoked: ExpiredToken, InvalidToken, TokenRefreshRequired. The clients then refresh the
/// credentials (when they come from a refreshing provider) and send the request once more,
/// as the AWS SDKs do; this retry does not count against `max_attempts`.
bool is_expired_credentials(std::string_view s3_code);

/// Logs (level info, component `s3.retry`) that `request` (method and URL, already quoted for
/// a message) failed on attempt `attempt` of `max_attempts` because of `reason`, and is tried
/// again after `delay`. One wording for both transports.
void log_retry(std::string_view request, int attempt, int max_attempts, std::string_view reason,
               std::chrono::milliseconds delay);

/// The reason of a failed HTTP answer for a log line: "HTTP 503 SlowDown".
std::string http_failure_reason(int http_status, std::string_view s3_code);

}  // namespace functionfuse::s3
