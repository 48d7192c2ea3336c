// Design: "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait is
// uniform in [0, min(cap, base * 2^(n-1))], which spreads a burst of clients that failed
// together instead of making them retry in lockstep. The retryable set is fixed by the S3
// error semantics: server-side and throttling errors are transient; any other 4xx means the
// request itself is wrong and repeating it cannot help.
#include "async_protocols/s3/core/retry_policy.hpp"

#include <algorithm>
#include <random>

#include "log/log.hpp"
#include "value/error_text.hpp"

namespace functionfuse::s3 {

namespace {
double default_random() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}
}  // namespace

retry_policy::retry_policy(retry_params params) : retry_policy(params, &default_random) {}

retry_policy::retry_policy(retry_params params, random_source rng)
    : params_(params), rng_(rng ? std::move(rng) : random_source(&default_random)) {
    params_.max_attempts = std::max(1, params_.max_attempts);
}

bool retry_policy::is_retryable(failure_kind kind, int http_status, std::string_view s3_code) {
    switch (kind) {
        case failure_kind::connection_reset:
        case failure_kind::timeout:
        case failure_kind::connect_failed:  // e.g. a server restarting: nothing was sent
            return true;
        case failure_kind::other_transport:
            return false;
        case failure_kind::http_status:
            break;
    }
    if (s3_code == "SlowDown" || s3_code == "RequestTimeout" || s3_code == "RequestTimeTooSkewed" ||
        s3_code == "InternalError") {
        return true;
    }
    return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

bool retry_policy::should_retry(int attempt, failure_kind kind, int http_status,
                                std::string_view s3_code) const {
    return attempt < params_.max_attempts && is_retryable(kind, http_status, s3_code);
}

std::chrono::milliseconds retry_policy::backoff(int retry) const {
    const double base = static_cast<double>(params_.base_delay.count());
    const double cap = static_cast<double>(params_.max_delay.count());
    // 2^(retry-1) overflows nothing as a double; clamp the exponent anyway.
    const int exponent = std::clamp(retry - 1, 0, 62);
    const double ceiling = std::min(cap, base * static_cast<double>(std::uint64_t{1} << exponent));
    const double u = std::clamp(rng_(), 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * u));
}

bool is_expired_credentials(std::string_view s3_code) {
    return s3_code == "ExpiredToken" || s3_code == "InvalidToken" ||
           s3_code == "TokenRefreshRequired";
}

void log_retry(std::string_view request, int attempt, int max_attempts, std::string_view reason,
               std::chrono::milliseconds delay) {
    detail::log(log_level::info, "s3.retry",
                "{} failed on attempt {} of {} ({}); retrying in {} ms", request, attempt,
                max_attempts, reason, delay.count());
}

std::string http_failure_reason(int http_status, std::string_view s3_code) {
    std::string reason = "HTTP " + std::to_string(http_status);
    if (!s3_code.empty()) {
        reason += ' ';
        reason += detail::shown(s3_code);
    }
    return reason;
}

}  // namespace functionfuse::s3
