// STS against Ceph RGW's own STS, a real server that nobody here wrote. The rgw_sts fixture
// (tests/tools/rgw/rgw.sh with FF_RGW_STS=1) turns RGW's STS on and creates a role that the
// test user may assume (FF_S3_STS_ROLE_ARN), whose policy allows s3:* on the bucket and on the
// objects under FF_S3_STS_PREFIX only. So a storage that can write under that prefix but is
// refused outside it works with the role's credentials, not the user's (who owns the bucket).
//
// Checked: our STS client's AssumeRole (signed by our SigV4) returns credentials with an
// Expiration and honours DurationSeconds; a storage configured through the shared profile
// chain (role_arn + source_profile, the STS endpoint from AWS_ENDPOINT_URL_STS or the profile's
// nested `sts = endpoint_url`) saves and reads a value and an array on the async and the sync
// path; a wrong source secret fails clearly, naming the provider, never the secret.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "async_protocols/s3/credentials/sts_client.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/log.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "loopback_process.hpp"
#include "run_awaitable.hpp"
#include "s3_server.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace s3 = functionfuse::s3;
namespace json = boost::json;
using std::chrono::minutes;
using std::chrono::system_clock;

namespace {

// A wrong secret the failure test plants; it must appear in no message and no log line.
const std::string wrong_secret = "wrongSECRETmark9z";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string unique(const std::string& stem) {
    std::random_device rd;
    return stem + "-" + std::to_string(rd()) + std::to_string(rd());
}

class StsRgw : public ::testing::Test {
  protected:
    void SetUp() override {
        auto s = ff_test::load_s3_server();
        if (!s) {
            GTEST_SKIP() << "RGW's STS is not in this run: these tests need the rgw_sts ctest "
                            "fixture (configure with -DFF_TEST_RGW=ON and run through ctest)";
        }
        server_ = *s;
        if (server_.sts_role_arn.empty())
            GTEST_FAIL() << "the endpoint file has no FF_S3_STS_ROLE_ARN (rgw.sh without "
                            "FF_RGW_STS=1?)";
        ff::set_log_level(ff::log_level::info);
        ff::set_log_sink([this](ff::log_level, std::string_view component, std::string_view m) {
            std::lock_guard lock(mutex_);
            log_.push_back(std::string(component) + ": " + std::string(m));
        });
    }
    void TearDown() override {
        ff::set_log_sink({});
        ff::set_log_level(ff::log_level::warn);
        for (const auto& line : log_) {
            EXPECT_FALSE(contains(line, server_.secret)) << "a secret in a log line: " << line;
            EXPECT_FALSE(contains(line, wrong_secret)) << "a secret in a log line: " << line;
        }
    }

    s3::sts_endpoint sts() const {
        return {server_.endpoint_url(), "us-east-1", "the test's STS endpoint", server_.ca_file};
    }
    s3::credentials user() const { return {server_.key, server_.secret, ""}; }

    // No keys, profiles, endpoints or metadata service from the real environment.
    void clear_environment() {
        for (const char* var :
             {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
              "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
              "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS", "AWS_CONFIG_FILE",
              "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE", "AWS_REGION", "AWS_DEFAULT_REGION",
              "AWS_PROFILE", "AWS_ROLE_SESSION_NAME"}) {
            ::unsetenv(var);
        }
        ::setenv("HOME", home_.path().c_str(), 1);
        ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    }

    // The process environment of a task on a laptop with an assumed-role profile: HOME holds
    // .aws/credentials ([rgw-user], the user's keys with `secret`) and .aws/config
    // ([profile rgw-role]: role_arn + source_profile), AWS_PROFILE names the role profile.
    // The STS endpoint comes from AWS_ENDPOINT_URL_STS, or with `in_profile` from the
    // profile's nested `sts = endpoint_url`. No keys in the environment, no IMDS.
    void use_role_profile(const std::string& secret, bool in_profile) {
        clear_environment();
        const auto aws = home_.path() / ".aws";
        std::filesystem::create_directories(aws);
        std::ofstream(aws / "credentials") << "[rgw-user]\naws_access_key_id = " << server_.key
                                           << "\naws_secret_access_key = " << secret << "\n";
        std::ofstream config(aws / "config");
        config << "[profile rgw-role]\nrole_arn = " << server_.sts_role_arn
               << "\nsource_profile = rgw-user\nrole_session_name = ff-sts-test\n"
               << "region = us-east-1\n";
        if (in_profile)
            config << "sts =\n  endpoint_url = " << server_.endpoint_url() << "\n";
        config.close();
        ::setenv("AWS_PROFILE", "rgw-role", 1);
        if (!in_profile)
            ::setenv("AWS_ENDPOINT_URL_STS", server_.endpoint_url().c_str(), 1);
        if (!server_.ca_file.empty())
            ::setenv("AWS_CA_BUNDLE", server_.ca_file.c_str(), 1);  // for STS over https
    }

    // A storage config with no keys: they come from the chain.
    json::value config(const std::string& prefix) const {
        json::object options{{"path", server_.bucket + "/" + prefix},
                             {"endpoint", server_.endpoint_url()},
                             {"region", "us-east-1"}};
        if (!server_.ca_file.empty())
            options["tls"] = json::object{{"ca_file", server_.ca_file}};
        return json::object{{"kind", "S3"}, {"options", options}};
    }

    std::vector<std::string> log() {
        std::lock_guard lock(mutex_);
        return log_;
    }
    bool logged_fetch_from(const std::string& provider) {
        for (const auto& line : log())
            if (contains(line, "temporary credentials from " + provider))
                return true;
        return false;
    }

    // Runs `f`, which must throw ff::error; returns its message after checking it holds
    // neither the user's secret nor the planted wrong one.
    template <class F>
    std::string failure(F&& f) {
        try {
            f();
        } catch (const ff::error& e) {
            const std::string text = e.what();
            EXPECT_FALSE(contains(text, wrong_secret)) << "a secret in: " << text;
            EXPECT_FALSE(contains(text, server_.secret)) << "a secret in: " << text;
            return text;
        }
        ADD_FAILURE() << "nothing thrown";
        return {};
    }

    ff_test::s3_server server_;
    ff_test::temp_dir home_;

  private:
    std::mutex mutex_;
    std::vector<std::string> log_;
};

TEST_F(StsRgw, AssumeRoleReturnsCredentialsWithExpiration) {
    s3::assume_role_request request{server_.sts_role_arn, "ff-sts-client", std::nullopt,
                                    std::nullopt};
    const auto before = system_clock::now();
    const auto got = s3::sts_assume_role(sts(), user(), request, "test provider");
    EXPECT_FALSE(got.creds.access_key_id.empty());
    EXPECT_NE(got.creds.access_key_id, server_.key);
    EXPECT_FALSE(got.creds.secret_access_key.empty());
    EXPECT_FALSE(got.creds.session_token.empty());
    ASSERT_TRUE(got.expiration.has_value());
    // RGW's default session lasts 3600 s.
    EXPECT_GT(*got.expiration, before + minutes(50));
    EXPECT_LT(*got.expiration, before + minutes(65));

    // DurationSeconds: 900, the minimum, is honoured...
    request.duration_seconds = 900;
    const auto short_lived = s3::sts_assume_role(sts(), user(), request, "test provider");
    ASSERT_TRUE(short_lived.expiration.has_value());
    EXPECT_GT(*short_lived.expiration, before + minutes(10));
    EXPECT_LT(*short_lived.expiration, before + minutes(20));
    // ... and less is refused, as on AWS: RGW's InvalidArgument (HTTP 400), read from RGW's
    // S3-shaped error document.
    request.duration_seconds = 60;
    try {
        s3::sts_assume_role(sts(), user(), request, "test provider");
        ADD_FAILURE() << "DurationSeconds=60 accepted";
    } catch (const ff::s3_error& e) {
        EXPECT_EQ(e.http_status(), 400);
        EXPECT_EQ(e.code(), "InvalidArgument") << e.what();
        EXPECT_TRUE(contains(e.what(), "test provider")) << e.what();
    }
}

TEST_F(StsRgw, AssumeRoleErrorsCarryRgwsCode) {
    // An unknown role: RGW's NoSuchEntity (HTTP 404).
    s3::assume_role_request request{"arn:aws:iam:::role/ff-no-such-role", "ff-sts-client",
                                    std::nullopt, std::nullopt};
    try {
        s3::sts_assume_role(sts(), user(), request, "test provider");
        ADD_FAILURE() << "an unknown role was assumed";
    } catch (const ff::s3_error& e) {
        EXPECT_EQ(e.http_status(), 404);
        EXPECT_EQ(e.code(), "NoSuchEntity") << e.what();
    }
    // A wrong secret: RGW's STS answers AccessDenied (not SignatureDoesNotMatch).
    request.role_arn = server_.sts_role_arn;
    const s3::credentials wrong{server_.key, wrong_secret, ""};
    const std::string text =
        failure([&] { s3::sts_assume_role(sts(), wrong, request, "test provider"); });
    EXPECT_TRUE(contains(text, "AccessDenied")) << text;
    EXPECT_TRUE(contains(text, "HTTP 403")) << text;
}

// Saves and reads a value and an array through `async_store` and `sync_store` (each reads what
// the other wrote), all with the assumed role's credentials.
void save_and_read(ff::storage& async_store, ff::sync::storage& sync_store) {
    auto arrays = std::make_shared<ff::array_serializer>();
    async_store.register_persistent_serializers(arrays);
    sync_store.register_persistent_serializers(arrays);
    xt::xarray<double> w = xt::arange<double>(0.0, 35.0) * 0.5;
    w.reshape({5, 7});
    const auto a = ff::chunked_array::from(w, {2, 3});
    const ff::value value = ff::dict{{"loss", 0.25}, {"name", std::string("sts")}};
    const ff::value array = ff::dict{{"w", a}};

    // GCC 12 coroutine rule (CONTRIBUTING.md): named arguments.
    std::string wf = "wf";
    std::string task_value = "value";
    std::string task_array = "array";
    ff::value v = value;
    ff_test::run_awaitable(async_store.save(wf, task_value, v));
    sync_store.save(wf, task_array, array);
    EXPECT_EQ(sync_store.read_task(wf, task_value), value);
    const ff::value got = ff_test::run_awaitable(async_store.read_task(wf, task_array));
    EXPECT_EQ(got.get<ff::dict>().at("w").as<ff::chunked_array>(), a);
    v = array;
    ff_test::run_awaitable(async_store.save(wf, task_array, v));
    sync_store.save(wf, task_value, value);
    EXPECT_EQ(ff_test::run_awaitable(async_store.read_task(wf, task_value)), value);
    EXPECT_EQ(sync_store.read_task(wf, task_array).get<ff::dict>().at("w").as<ff::chunked_array>(),
              a);
    std::string pattern = "*";
    EXPECT_EQ(ff_test::run_awaitable(async_store.list_tasks(wf, pattern)),
              (std::vector<std::string>{"array", "value"}));
    ff_test::run_awaitable(async_store.remove_workflow(wf));
}

// Outside the role's prefix the same chain is refused (the role's policy, not the user's
// ownership of the bucket, decides): proof that the role's credentials are the ones used.
void refused_outside(ff::storage& async_store, ff::sync::storage& sync_store) {
    std::string wf = "wf";
    std::string task = "t";
    ff::value v = ff::value(std::int64_t{1});
    try {
        ff_test::run_awaitable(async_store.save(wf, task, v));
        ADD_FAILURE() << "the async path wrote outside the role's prefix";
    } catch (const ff::s3_error& e) {
        EXPECT_EQ(e.code(), "AccessDenied") << e.what();
    }
    try {
        sync_store.save(wf, task, v);
        ADD_FAILURE() << "the sync path wrote outside the role's prefix";
    } catch (const ff::s3_error& e) {
        EXPECT_EQ(e.code(), "AccessDenied") << e.what();
    }
}

TEST_F(StsRgw, StorageOnRoleProfileWithStsEndpointFromEnvironment) {
    use_role_profile(server_.secret, false);
    const std::string prefix = unique(server_.sts_prefix + "env");
    auto async_store = ff::storage_factory(config(prefix));
    auto sync_store = ff::sync::storage_factory(config(prefix));
    EXPECT_TRUE(logged_fetch_from("assume role")) << "no assumed-role credentials fetched";
    save_and_read(*async_store, *sync_store);

    const std::string outside = unique("outside-sts");
    auto async_outside = ff::storage_factory(config(outside));
    auto sync_outside = ff::sync::storage_factory(config(outside));
    refused_outside(*async_outside, *sync_outside);
}

TEST_F(StsRgw, StorageOnRoleProfileWithStsEndpointInProfile) {
    use_role_profile(server_.secret, true);
    const std::string prefix = unique(server_.sts_prefix + "profile");
    auto async_store = ff::storage_factory(config(prefix));
    auto sync_store = ff::sync::storage_factory(config(prefix));
    EXPECT_TRUE(logged_fetch_from("assume role")) << "no assumed-role credentials fetched";
    save_and_read(*async_store, *sync_store);
}

TEST_F(StsRgw, WrongSourceSecretNamesTheProviderNeverTheSecret) {
    use_role_profile(wrong_secret, false);
    const std::string prefix = unique(server_.sts_prefix + "wrong");
    for (const bool sync : {false, true}) {
        SCOPED_TRACE(sync ? "sync" : "async");
        const std::string text = failure([&] {
            if (sync)
                ff::sync::storage_factory(config(prefix));
            else
                ff::storage_factory(config(prefix));
        });
        EXPECT_TRUE(contains(text, "assume role")) << text;
        EXPECT_TRUE(contains(text, "profile 'rgw-role'")) << text;
        EXPECT_TRUE(contains(text, "AssumeRole at " + server_.endpoint_url())) << text;
        EXPECT_TRUE(contains(text, "AccessDenied")) << text;
    }
}

// AssumeRoleWithWebIdentity: the loopback OpenID Connect issuer (tests/tools/oidc_issuer.py)
// registers itself at RGW (CreateOpenIDConnectProvider) with a role trusting it, and signs a
// token; the chain's web identity provider (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)
// exchanges it at RGW's STS, and RGW checks the token against the issuer's JWKS.
TEST_F(StsRgw, StorageOnWebIdentityToken) {
    const std::string role = unique("ff-oidc");
    const auto token_file = home_.path() / "web-identity-token";
    ff_test::loopback_process issuer(
        std::string("exec /usr/bin/python3 '") + FF_SOURCE_DIR +
            "/tests/tools/oidc_issuer.py' --token-file '" + token_file.string() +
            "' --register-at " + server_.endpoint_url() + " --key " + server_.key + " --secret " +
            server_.secret + (server_.ca_file.empty() ? "" : " --ca '" + server_.ca_file + "'") +
            " --role-name " + role + " --bucket " + server_.bucket + " --prefix " +
            server_.sts_prefix,
        "oidc_issuer.py");
    clear_environment();
    ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.c_str(), 1);
    ::setenv("AWS_ROLE_ARN", ("arn:aws:iam:::role/" + role).c_str(), 1);
    ::setenv("AWS_ROLE_SESSION_NAME", "ff-web-identity", 1);
    ::setenv("AWS_ENDPOINT_URL_STS", server_.endpoint_url().c_str(), 1);
    if (!server_.ca_file.empty())
        ::setenv("AWS_CA_BUNDLE", server_.ca_file.c_str(), 1);

    const std::string prefix = unique(server_.sts_prefix + "web");
    auto async_store = ff::storage_factory(config(prefix));
    auto sync_store = ff::sync::storage_factory(config(prefix));
    EXPECT_TRUE(logged_fetch_from("web identity")) << "no web-identity credentials fetched";
    save_and_read(*async_store, *sync_store);

    const std::string outside = unique("outside-web");
    auto async_outside = ff::storage_factory(config(outside));
    auto sync_outside = ff::sync::storage_factory(config(outside));
    refused_outside(*async_outside, *sync_outside);

    // The issuer's token is in no log line.
    std::string token;
    std::getline(std::ifstream(token_file), token);
    ASSERT_FALSE(token.empty());
    for (const auto& line : log())
        EXPECT_FALSE(contains(line, token)) << "the web-identity token in a log line: " << line;

    // A token that is not the issuer's: RGW refuses it; the error names the provider and the
    // token file, never the token.
    const std::string forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    std::ofstream(token_file) << forged;
    const std::string text = failure([&] { ff::storage_factory(config(prefix)); });
    EXPECT_TRUE(contains(text, "web identity")) << text;
    EXPECT_TRUE(contains(text, "AssumeRoleWithWebIdentity")) << text;
    EXPECT_FALSE(contains(text, forged)) << text;
}

}  // namespace
