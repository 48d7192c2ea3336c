// Temporary credentials refreshed while a storage works, end to end: the S3 kind built from a
// config without keys finds the loopback IMDSv2 (tests/tools/aws_credentials_server.py)
// through the chain, and s3rver (tests/tools/s3rver_run.js --temporary-keys) accepts each
// issued key only until it expires, answering ExpiredToken after. So a save signed with an
// old key fails there, and the test sees which keys were used.

#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "credentials_server_process.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"
#include "s3_server.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace json = boost::json;

namespace {

std::set<std::string> lines_of(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.insert(line);
    return out;
}

class CredentialRefresh : public ::testing::Test {
  protected:
    void SetUp() override {
        auto s = ff_test::load_s3_server();
        if (!s)
            GTEST_FAIL() << ff_test::no_s3_server_message;
        server_ = *s;
        keys_file_ = temporary_keys_file();
        std::random_device rd;
        prefix_ = "refresh-" + std::to_string(rd());
    }

    static std::string temporary_keys_file() {
        std::ifstream in(std::getenv("FF_S3_ENDPOINT_FILE"));
        for (std::string line; std::getline(in, line);)
            if (line.rfind("FF_S3_TEMPORARY_KEYS_FILE=", 0) == 0)
                return line.substr(line.find('=') + 1);
        return {};
    }

    // The process environment as a deployed task sees it on EC2: no keys, no profile, IMDS.
    void use_imds(const ff_test::credentials_server_process& imds) {
        for (const char* var :
             {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
              "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
              "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_S3", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}) {
            ::unsetenv(var);
        }
        ::setenv("HOME", home_.path().c_str(), 1);
        ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url().c_str(), 1);
    }

    json::value config() const {
        json::object options{{"path", server_.bucket + "/" + prefix_},
                             {"endpoint", server_.endpoint_url()},
                             {"region", "us-east-1"}};
        if (!server_.ca_file.empty())
            options["tls"] = json::object{{"ca_file", server_.ca_file}};
        return json::object{{"kind", "S3"}, {"options", options}};
    }

    std::string imds_args(const std::string& extra) const {
        return "--mode imds --keys-file " + keys_file_ + " --state-file " +
               (home_.path() / "state.json").string() + " " + extra;
    }
    std::vector<std::string> issued() const {
        auto doc = json::parse(ff_test::read_text((home_.path() / "state.json").string()));
        std::vector<std::string> out;
        for (const auto& k : doc.at("issued").as_array())
            out.emplace_back(k.as_string());
        return out;
    }
    std::set<std::string> used() const {
        return lines_of(ff_test::read_text(keys_file_ + ".used"));
    }

    ff_test::s3_server server_;
    ff_test::temp_dir home_;
    std::string keys_file_;
    std::string prefix_;
};

// Saves and reads for more than three credential lifetimes (3 s each): no failure, and every
// key IMDS issued before the last was used by a request that s3rver accepted.
template <class Save>
void run_through_rotations(Save&& save_and_read) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(10'500);
    int n = 0;
    while (std::chrono::steady_clock::now() < end) {
        save_and_read(n++);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

TEST_F(CredentialRefresh, AsyncStorageSavesThroughThreeRotations) {
    ASSERT_FALSE(keys_file_.empty()) << "s3rver.sh wrote no FF_S3_TEMPORARY_KEYS_FILE";
    ff_test::credentials_server_process imds(imds_args("--lifetime 3"));
    use_imds(imds);
    auto store = ff::storage_factory(config());
    run_through_rotations([&](int n) {
        std::string wf = "wf";
        std::string task = "t" + std::to_string(n % 5);
        ff::value v = ff::value(static_cast<std::int64_t>(n));
        ff_test::run_awaitable(store->save(wf, task, v));
        EXPECT_EQ(ff_test::run_awaitable(store->read_task(wf, task)), v);
    });
    const auto keys = issued();
    const auto seen = used();
    ASSERT_GE(keys.size(), 4u) << "fewer rotations than three lifetimes give";
    for (std::size_t i = 0; i + 1 < keys.size(); ++i)
        EXPECT_TRUE(seen.count(keys[i])) << "issued key " << i << " never used";
}

TEST_F(CredentialRefresh, SyncStorageSavesThroughThreeRotations) {
    ASSERT_FALSE(keys_file_.empty()) << "s3rver.sh wrote no FF_S3_TEMPORARY_KEYS_FILE";
    ff_test::credentials_server_process imds(imds_args("--lifetime 3"));
    use_imds(imds);
    auto store = ff::sync::storage_factory(config());
    run_through_rotations([&](int n) {
        const std::string task = "t" + std::to_string(n % 5);
        const ff::value v = ff::value(static_cast<std::int64_t>(n));
        store->save("wf", task, v);
        EXPECT_EQ(store->read_task("wf", task), v);
    });
    const auto keys = issued();
    const auto seen = used();
    ASSERT_GE(keys.size(), 4u) << "fewer rotations than three lifetimes give";
    for (std::size_t i = 0; i + 1 < keys.size(); ++i)
        EXPECT_TRUE(seen.count(keys[i])) << "issued key " << i << " never used";
}

// The server ends a key long before the Expiration it announced: the request answered
// ExpiredToken refreshes the credentials and is sent once more, on both paths.
TEST_F(CredentialRefresh, ExpiredTokenRefreshesAndRetriesOnce) {
    ASSERT_FALSE(keys_file_.empty()) << "s3rver.sh wrote no FF_S3_TEMPORARY_KEYS_FILE";
    ff_test::credentials_server_process imds(imds_args("--lifetime 3600 --revoke-after 1"));
    use_imds(imds);
    auto async_store = ff::storage_factory(config());
    auto sync_store = ff::sync::storage_factory(config());
    std::string wf = "wf";
    std::string task = "expired";
    ff::value v = ff::value(std::int64_t{1});
    ff_test::run_awaitable(async_store->save(wf, task, v));
    sync_store->save(wf, task, v);
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    ff_test::run_awaitable(async_store->save(wf, task, v));
    sync_store->save(wf, task, v);
    EXPECT_EQ(sync_store->read_task(wf, task), v);
    EXPECT_GE(issued().size(), 2u);
}

}  // namespace
