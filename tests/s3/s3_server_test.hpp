#pragma once
// Test helper: the fixture's S3 server (tests/support/s3_server.hpp) as S3 client params, and a
// GoogleTest fixture for tests that talk to it.
#include <chrono>
#include <optional>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "async_protocols/s3/core/client_params.hpp"

#include "run_awaitable.hpp"  // run_on
#include "s3_server.hpp"

namespace ff_test {

struct s3_endpoint {
    s3_server server;
    functionfuse::s3::client_params params;
    std::string bucket;
    std::string scheme;
};

/// nullopt when no fixture state is available (test run outside ctest).
inline std::optional<s3_endpoint> load_s3_endpoint() {
    auto server = load_s3_server();
    if (!server)
        return std::nullopt;
    s3_endpoint e;
    e.server = *server;
    e.scheme = server->scheme;
    e.bucket = server->bucket;
    e.params = server->client_params();
    e.params.request_timeout = std::chrono::seconds(60);
    return e;
}

/// A test against the fixture's S3 server: skipped when run outside ctest (no fixture state);
/// each test works under a key prefix of its own ("<test name>/") so tests never see each
/// other's keys. `ctx` is declared first so it outlives whatever a derived fixture builds on it.
class s3_server_test : public ::testing::Test {
  protected:
    void SetUp() override {
        auto e = load_s3_endpoint();
        if (!e)
            GTEST_SKIP() << no_s3_server_message;
        endpoint = *e;
        // The HTTP and HTTPS runs of a test share one server and bucket and may run at the
        // same time: the prefix keeps their keys apart.
        prefix = endpoint.scheme + "-" + std::to_string(::getpid()) + "/" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
    }
    template <class T>
    T run(boost::asio::awaitable<T> aw) {
        return run_on(ctx, std::move(aw));
    }

    boost::asio::io_context ctx;
    s3_endpoint endpoint;
    std::string prefix;
};

}  // namespace ff_test
