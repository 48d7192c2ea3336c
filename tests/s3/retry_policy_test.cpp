// retry_policy: which failures are retried, and the full-jitter backoff bounds.
#include <gtest/gtest.h>

#include "async_protocols/s3/core/retry_policy.hpp"

using functionfuse::s3::failure_kind;
using functionfuse::s3::retry_params;
using functionfuse::s3::retry_policy;
using namespace std::chrono_literals;

TEST(RetryPolicy, RetriesServerErrorsAndThrottling) {
    for (int status : {500, 502, 503, 504}) {
        EXPECT_TRUE(retry_policy::is_retryable(failure_kind::http_status, status, "")) << status;
    }
    for (const char* code :
         {"SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError"}) {
        EXPECT_TRUE(retry_policy::is_retryable(failure_kind::http_status, 400, code)) << code;
    }
    EXPECT_TRUE(retry_policy::is_retryable(failure_kind::connection_reset, 0, ""));
    // Nothing was sent when a connect fails: a restarting server is worth waiting for.
    EXPECT_TRUE(retry_policy::is_retryable(failure_kind::connect_failed, 0, ""));
    EXPECT_TRUE(retry_policy::is_retryable(failure_kind::timeout, 0, ""));
}

TEST(RetryPolicy, NeverRetriesOtherClientErrors) {
    for (int status : {400, 401, 403, 404, 409, 412, 416}) {
        EXPECT_FALSE(retry_policy::is_retryable(failure_kind::http_status, status, "")) << status;
    }
    EXPECT_FALSE(
        retry_policy::is_retryable(failure_kind::http_status, 403, "SignatureDoesNotMatch"));
    EXPECT_FALSE(retry_policy::is_retryable(failure_kind::http_status, 404, "NoSuchKey"));
    EXPECT_FALSE(retry_policy::is_retryable(failure_kind::http_status, 501, "NotImplemented"));
    EXPECT_FALSE(retry_policy::is_retryable(failure_kind::other_transport, 0, ""));
}

TEST(RetryPolicy, StopsAfterMaxAttempts) {
    retry_policy p;  // defaults: 8 attempts
    EXPECT_EQ(p.params().max_attempts, 8);
    EXPECT_TRUE(p.should_retry(7, failure_kind::timeout, 0, ""));
    EXPECT_FALSE(p.should_retry(8, failure_kind::timeout, 0, ""));
    retry_policy once(retry_params{1, 50ms, 20s});
    EXPECT_FALSE(once.should_retry(1, failure_kind::timeout, 0, ""));
}

TEST(RetryPolicy, BackoffIsFullJitterUnderAnExponentialCeilingWithACap) {
    retry_params params;  // 50 ms base, 20 s cap
    EXPECT_EQ(params.base_delay, 50ms);
    EXPECT_EQ(params.max_delay, 20s);
    retry_policy top(params, [] { return 0.999999999; });
    EXPECT_EQ(top.backoff(1), 49ms);      // ceiling 50 ms
    EXPECT_EQ(top.backoff(2), 99ms);      // 100 ms
    EXPECT_EQ(top.backoff(4), 399ms);     // 400 ms
    EXPECT_EQ(top.backoff(20), 19999ms);  // capped at 20 s
    EXPECT_EQ(top.backoff(1000), 19999ms);
    retry_policy bottom(params, [] { return 0.0; });
    EXPECT_EQ(bottom.backoff(5), 0ms);
    retry_policy half(params, [] { return 0.5; });
    EXPECT_EQ(half.backoff(3), 100ms);
}

TEST(RetryPolicy, DefaultRandomSourceStaysInBounds) {
    retry_policy p;
    for (int retry = 1; retry < 12; ++retry) {
        auto d = p.backoff(retry);
        EXPECT_GE(d, 0ms);
        EXPECT_LE(d, std::min<std::chrono::milliseconds>(20s, 50ms * (1 << (retry - 1))));
    }
}
