#pragma once
// Test helper: the s3rver instance a ctest fixture started (tests/tools/s3rver.sh writes
// <state>/endpoint.env; FF_S3RVER_STATE names the state dir) as S3 client params.
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "async_protocols/s3/core/client_params.hpp"

#include "run_awaitable.hpp"  // run_on

namespace ff_test {

struct s3rver_endpoint {
    functionfuse::s3::client_params params;
    std::string bucket;
    std::string scheme;
};

/// nullopt when no fixture state is available (test run outside ctest).
inline std::optional<s3rver_endpoint> load_s3rver_endpoint() {
    const char* state = std::getenv("FF_S3RVER_STATE");
    if (!state)
        return std::nullopt;
    std::ifstream in(std::string(state) + "/endpoint.env");
    if (!in)
        return std::nullopt;
    std::map<std::string, std::string> env;
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos)
            env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    s3rver_endpoint e;
    e.scheme = env["FF_S3_SCHEME"];
    e.bucket = env["FF_S3_BUCKET"];
    e.params.host = env["FF_S3_HOST"];
    e.params.port = static_cast<std::uint16_t>(std::stoi(env["FF_S3_PORT"]));
    e.params.use_tls = e.scheme == "https";
    e.params.tls.ca_file = env["FF_S3_CA_FILE"];
    e.params.creds.access_key_id = env["FF_S3_KEY"];
    e.params.creds.secret_access_key = env["FF_S3_SECRET"];
    e.params.request_timeout = std::chrono::seconds(60);
    return e;
}

/// A test against the suite's s3rver: skipped when run outside ctest (no fixture state); each
/// test works under a key prefix of its own ("<test name>/") so tests never see each other's
/// keys. `ctx` is declared first so it outlives whatever a derived fixture builds on it.
class s3rver_test : public ::testing::Test {
  protected:
    void SetUp() override {
        auto e = load_s3rver_endpoint();
        if (!e)
            GTEST_SKIP() << "no s3rver fixture (run through ctest)";
        endpoint = *e;
        prefix = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/";
    }
    template <class T>
    T run(boost::asio::awaitable<T> aw) {
        return run_on(ctx, std::move(aw));
    }

    boost::asio::io_context ctx;
    s3rver_endpoint endpoint;
    std::string prefix;
};

}  // namespace ff_test
