// Secrets never reach the log: an S3 storage with a distinctive secret key and session token
// fails against an endpoint that refuses connections (so every attempt is retried and logged)
// at the most verbose level, on both paths; no message and no exception text holds either.
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "functionfuse/error.hpp"
#include "functionfuse/log.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"

namespace ff = functionfuse;

namespace {

constexpr const char* secret_key = "SECRETKEY-must-never-be-logged-7d1f";
constexpr const char* session_token = "SESSIONTOKEN-must-never-be-logged-4c2a";

boost::json::value refused_endpoint_config() {
    // Port 1 on loopback: nothing listens, the connect is refused at once and is retried.
    return boost::json::parse(std::string(R"({"kind": "S3", "options": {
        "path": "log-bucket/prefix", "endpoint": "http://127.0.0.1:1", "region": "us-east-1",
        "retry": {"max_attempts": 3, "base_delay_ms": 1, "max_delay_ms": 2},
        "s3fs": {"key": "AKIDLOGTEST", "secret": ")") +
                              secret_key + R"(", "token": ")" + session_token + R"("}}})");
}

class LogSecrets : public ::testing::Test {
  protected:
    void SetUp() override {
        ff::set_log_level(ff::log_level::trace);
        ff::set_log_sink(
            [this](ff::log_level, std::string_view component, std::string_view message) {
                std::lock_guard lock(mutex_);
                lines_.push_back(std::string(component) + ": " + std::string(message));
            });
    }
    void TearDown() override {
        ff::set_log_sink({});
        ff::set_log_level(ff::log_level::warn);
        std::size_t retries = 0;
        for (const auto& line : lines_) {
            EXPECT_EQ(line.find(secret_key), std::string::npos) << line;
            EXPECT_EQ(line.find(session_token), std::string::npos) << line;
            if (line.find("s3.retry: ") == 0 && line.find("retrying in") != std::string::npos)
                ++retries;
        }
        // Two retries per failed save (3 attempts): the log said what it was doing.
        EXPECT_GE(retries, 2u);
    }
    void expect_clean(const std::string& error_text) {
        EXPECT_EQ(error_text.find(secret_key), std::string::npos) << error_text;
        EXPECT_EQ(error_text.find(session_token), std::string::npos) << error_text;
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

TEST_F(LogSecrets, AsyncPathRetriesAreLoggedWithoutSecrets) {
    auto storage = ff::storage_factory(refused_endpoint_config());
    std::string workflow = "wf";
    std::string task = "t";
    try {
        ff_test::run_awaitable(storage->save(workflow, task, ff::value(1)));
        ADD_FAILURE() << "a save to a refused endpoint succeeded";
    } catch (const ff::error& e) {
        expect_clean(e.what());
    }
}

TEST_F(LogSecrets, SyncPathRetriesAreLoggedWithoutSecrets) {
    auto storage = ff::sync::storage_factory(refused_endpoint_config());
    try {
        storage->save("wf", "t", ff::value(1));
        ADD_FAILURE() << "a save to a refused endpoint succeeded";
    } catch (const ff::error& e) {
        expect_clean(e.what());
    }
}

}  // namespace
