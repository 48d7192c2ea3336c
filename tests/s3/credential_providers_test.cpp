// The credential chain's providers against loopback servers of our own
// (tests/tools/aws_credentials_server.py: IMDSv2, container endpoint, STS) and real files and
// processes: each provider's success path and its failure paths (missing file, malformed
// answer, timeout, HTTP error), each a config_error or s3_error naming the provider and the
// variable or file. Every secret the servers hand out or the tests plant carries `marker`, and
// every failure's message and every log line is searched for it.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <functionfuse/error.hpp>
#include <functionfuse/log.hpp>

#include "async_protocols/s3/credentials/container_provider.hpp"
#include "async_protocols/s3/credentials/credentials.hpp"
#include "async_protocols/s3/credentials/credentials_cache.hpp"
#include "async_protocols/s3/credentials/imds_provider.hpp"
#include "credentials_env_test.hpp"
#include "credentials_server_process.hpp"

namespace s3 = functionfuse::s3;
namespace ff = functionfuse;

namespace {

const std::string marker = "FFsecretMARK7q";

using ff_test::env_map;
using ff_test::env_of;
using ff_test::write_file;

class Providers : public ff_test::credentials_env_test {
  protected:
    void SetUp() override {
        ff::set_log_level(ff::log_level::trace);
        ff::set_log_sink([this](ff::log_level, std::string_view component, std::string_view m) {
            std::lock_guard lock(mutex_);
            log_.push_back(std::string(component) + ": " + std::string(m));
        });
    }
    void TearDown() override {
        ff::set_log_sink({});
        ff::set_log_level(ff::log_level::warn);
        for (const auto& line : log_)
            EXPECT_EQ(line.find(marker), std::string::npos) << "a secret in a log line: " << line;
    }

    // An environment with nothing but HOME (an empty directory) and IMDS off.
    env_map base_env() const {
        env_map env = credentials_env_test::base_env();
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        return env;
    }

    // Runs `f`, which must throw E; checks that the message has no secret and returns it.
    template <class E, class F>
    std::string failure(F&& f) {
        try {
            f();
        } catch (const E& e) {
            const std::string text = e.what();
            EXPECT_EQ(text.find(marker), std::string::npos) << "a secret in: " << text;
            return text;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "wrong exception type: " << e.what();
            return e.what();
        }
        ADD_FAILURE() << "nothing thrown";
        return {};
    }

    std::string state_file() const { return (home.path() / "state.json").string(); }

  private:
    std::mutex mutex_;
    std::vector<std::string> log_;
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// --- IMDSv2 --------------------------------------------------------------------------------

TEST_F(Providers, ImdsV2TokenThenRoleThenCredentialsAndRegion) {
    ff_test::credentials_server_process imds("--mode imds --marker " + marker + " --state-file " +
                                             state_file());
    auto env = base_env();
    env.erase("AWS_EC2_METADATA_DISABLED");
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url() + "/";
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id.rfind("ASIA", 0), 0u) << r.creds.access_key_id;
    EXPECT_TRUE(contains(r.creds.session_token, marker));
    EXPECT_TRUE(contains(r.credentials_source, "instance metadata"));
    EXPECT_EQ(r.region, "eu-test-1");  // nothing else gave one
    ASSERT_TRUE(r.cache);
    EXPECT_TRUE(r.cache->temporary());
    const std::string state = ff_test::read_text(state_file());
    EXPECT_TRUE(contains(state, "\"token_puts\": 1")) << state;  // one token for all GETs
    EXPECT_TRUE(contains(state, "\"unauthorized\": 0")) << state;
}

TEST_F(Providers, ImdsRefetchesAnExpiredSessionToken) {
    ff_test::credentials_server_process imds("--mode imds --state-file " + state_file());
    s3::imds_options o;
    o.endpoint = imds.url();
    o.token_ttl = std::chrono::seconds(1);  // renewed early: half the TTL
    s3::imds_provider p(o);
    p.fetch();
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    p.fetch();
    EXPECT_TRUE(contains(ff_test::read_text(state_file()), "\"token_puts\": 2"));
}

TEST_F(Providers, ImdsFailuresNameTheProviderAndEndpoint) {
    for (const std::string fault : {"500", "malformed", "huge", "ctrl", "noexpiry", "slow"}) {
        SCOPED_TRACE(fault);
        ff_test::credentials_server_process imds("--mode imds --slow-seconds 3 --marker " + marker +
                                                 " --fault " + fault);
        s3::imds_options o;
        o.endpoint = imds.url();
        s3::imds_provider p(o);
        const std::string text = failure<ff::s3_error>([&] { p.fetch(); });
        EXPECT_TRUE(contains(text, "instance metadata (IMDSv2)")) << text;
        EXPECT_TRUE(contains(text, imds.url())) << text;
    }
}

TEST_F(Providers, ImdsUnreachableEndsTheChainWithAClearConfigError) {
    auto env = base_env();
    env.erase("AWS_EC2_METADATA_DISABLED");
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9";  // nothing listens
    const std::string text =
        failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "no S3 credentials found")) << text;
    EXPECT_TRUE(contains(text, "instance metadata")) << text;
    EXPECT_TRUE(contains(text, "anonymous")) << text;
}

// --- container -----------------------------------------------------------------------------

TEST_F(Providers, ContainerFullUriWithTokenFile) {
    const auto token_file = home.path() / "pod-token";
    write_file(token_file, "Bearer-" + marker + "\n");
    ff_test::credentials_server_process server("--mode container --auth-token-file " +
                                               token_file.string() + " --marker " + marker);
    auto env = base_env();
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/v2/credentials/ff-test";
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file.string();
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id.rfind("ASIA", 0), 0u);
    EXPECT_TRUE(contains(r.credentials_source, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    ASSERT_TRUE(r.cache);

    // Without the token file the endpoint answers 401; with a wrong token 403.
    auto no_token = s3::container_provider::from_environment(
        env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v2/credentials/ff-test"}}));
    std::string text = failure<ff::s3_error>([&] { no_token->fetch(); });
    EXPECT_TRUE(contains(text, "container credentials")) << text;
    EXPECT_TRUE(contains(text, "HTTP 401")) << text;
    auto wrong = s3::container_provider::from_environment(
        env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v2/credentials/ff-test"},
                {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-" + marker}}));
    text = failure<ff::s3_error>([&] { wrong->fetch(); });
    EXPECT_TRUE(contains(text, "HTTP 403")) << text;

    // A missing token file names the variable.
    std::filesystem::remove(token_file);
    auto missing = s3::container_provider::from_environment(env_of(env));
    text = failure<ff::config_error>([&] { missing->fetch(); });
    EXPECT_TRUE(contains(text, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) << text;
    // A token file with a line break inside (header injection) is refused.
    write_file(token_file, "a\r\nX-Evil: " + marker);
    text = failure<ff::config_error>([&] { missing->fetch(); });
    EXPECT_TRUE(contains(text, "control character")) << text;
}

TEST_F(Providers, ContainerFailuresNameTheProviderAndVariable) {
    for (const std::string fault : {"500", "malformed", "huge", "ctrl", "slow"}) {
        SCOPED_TRACE(fault);
        ff_test::credentials_server_process server("--mode container --slow-seconds 3 --marker " +
                                                   marker + " --fault " + fault);
        auto p = s3::container_provider::from_environment(env_of(
            {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v2/credentials/ff-test"}}));
        p->timeout = std::chrono::milliseconds(1000);
        const std::string text = failure<ff::s3_error>([&] { p->fetch(); });
        EXPECT_TRUE(contains(text, "container credentials")) << text;
        EXPECT_TRUE(contains(text, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) << text;
    }
}

TEST_F(Providers, ContainerFullUriMustBeLoopbackOrHttps) {
    const std::string text = failure<ff::config_error>([&] {
        s3::container_provider::from_environment(
            env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}));
    });
    EXPECT_TRUE(contains(text, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) << text;
    auto relative = s3::container_provider::from_environment(
        env_of({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x"}}));
    ASSERT_TRUE(relative);
    EXPECT_TRUE(contains(relative->describe(), "RELATIVE_URI"));
}

// --- web identity and STS ------------------------------------------------------------------

TEST_F(Providers, WebIdentityExchangesTheTokenFileAtSts) {
    const auto token_file = home.path() / "oidc-token";
    const std::string token = "eyJhbGciOi." + marker + ".sig";
    write_file(token_file, token + "\n");
    ff_test::credentials_server_process sts("--mode sts --web-token " + token + " --marker " +
                                            marker + " --state-file " + state_file());
    auto env = base_env();
    env["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_file.string();
    env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ff-test";
    env["AWS_ROLE_SESSION_NAME"] = "ff-session";
    env["AWS_ENDPOINT_URL_STS"] = sts.url();
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id.rfind("ASIA", 0), 0u);
    EXPECT_TRUE(contains(r.creds.secret_access_key, marker));
    EXPECT_TRUE(contains(r.credentials_source, "web identity"));
    ASSERT_TRUE(r.cache);
    EXPECT_TRUE(contains(ff_test::read_text(state_file()), "ff-session"));

    // A token STS refuses: its message echoes the token, which must not reach ours.
    write_file(token_file, "other-" + marker);
    std::string text = failure<ff::s3_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "InvalidIdentityToken")) << text;
    EXPECT_TRUE(contains(text, "web identity")) << text;
    // A missing token file names the variable and the file.
    std::filesystem::remove(token_file);
    text = failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "AWS_WEB_IDENTITY_TOKEN_FILE")) << text;
    EXPECT_TRUE(contains(text, token_file.string())) << text;
    // The role is required.
    write_file(token_file, token);
    env.erase("AWS_ROLE_ARN");
    text = failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "AWS_ROLE_ARN")) << text;
}

TEST_F(Providers, StsFailuresNameTheProvider) {
    const auto token_file = home.path() / "oidc-token";
    write_file(token_file, "tok-" + marker);
    for (const std::string fault : {"500", "malformed", "huge", "ctrl", "noexpiry"}) {
        SCOPED_TRACE(fault);
        ff_test::credentials_server_process sts("--mode sts --web-token tok-" + marker +
                                                " --marker " + marker + " --fault " + fault);
        auto env = base_env();
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_file.string();
        env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ff-test";
        env["AWS_ENDPOINT_URL_STS"] = sts.url();
        const std::string text =
            failure<ff::s3_error>([&] { s3::resolve_settings({}, env_of(env)); });
        EXPECT_TRUE(contains(text, "web identity")) << text;
        EXPECT_TRUE(contains(text, "AssumeRoleWithWebIdentity")) << text;
    }
}

TEST_F(Providers, ProfileRoleArnWithSourceProfileSignsAssumeRole) {
    ff_test::credentials_server_process sts("--mode sts --source-key AKIDSOURCE:src-" + marker +
                                            " --marker " + marker + " --state-file " +
                                            state_file());
    write_file(
        creds_file(),
        "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = src-" + marker + "\n");
    write_file(
        config_file(),
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/ff-test\nsource_profile = "
        "base\nrole_session_name = dev-session\nregion = eu-west-3\nsts =\n  endpoint_url = " +
            sts.url() + "\n");
    auto env = base_env();
    env["AWS_PROFILE"] = "dev";
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id.rfind("ASIA", 0), 0u);
    EXPECT_EQ(r.region, "eu-west-3");
    EXPECT_TRUE(contains(r.credentials_source, "assume role")) << r.credentials_source;
    EXPECT_TRUE(contains(ff_test::read_text(state_file()), "dev-session"));

    // A wrong source secret: STS's SignatureDoesNotMatch, naming the profile entry.
    write_file(
        creds_file(),
        "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = bad-" + marker + "\n");
    std::string text = failure<ff::s3_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "SignatureDoesNotMatch")) << text;
    EXPECT_TRUE(contains(text, "profile 'dev'")) << text;
    // A source profile that does not exist; a cycle.
    write_file(creds_file(), "");
    write_file(config_file(),
               "[profile dev]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nowhere\n"
               "[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n"
               "[profile b]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n");
    text = failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "source_profile")) << text;
    EXPECT_TRUE(contains(text, "'nowhere'")) << text;
    env["AWS_PROFILE"] = "a";
    text = failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "cycle")) << text;
}

// Ceph RGW's STS answers errors with the S3 error document (<Error> at the root, not
// <ErrorResponse>): its code must still reach the message.
TEST_F(Providers, StsErrorInTheS3ErrorDocumentKeepsItsCode) {
    ff_test::credentials_server_process sts("--mode sts --source-key AKIDSOURCE:src-" + marker +
                                            " --marker " + marker + " --error-document s3");
    write_file(
        creds_file(),
        "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = bad-" + marker + "\n");
    write_file(config_file(),
               "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/ff-test\n"
               "source_profile = base\nsts =\n  endpoint_url = " +
                   sts.url() + "\n");
    auto env = base_env();
    env["AWS_PROFILE"] = "dev";
    try {
        s3::resolve_settings({}, env_of(env));
        ADD_FAILURE() << "a wrong secret was accepted";
    } catch (const ff::s3_error& e) {
        EXPECT_EQ(e.code(), "SignatureDoesNotMatch") << e.what();
        EXPECT_TRUE(contains(e.what(), "SignatureDoesNotMatch")) << e.what();
        EXPECT_FALSE(contains(e.what(), marker)) << e.what();
    }
}

TEST_F(Providers, ProfileCredentialSourceEnvironment) {
    ff_test::credentials_server_process sts("--mode sts --source-key AKIDENV:env-" + marker);
    write_file(
        config_file(),
        "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ff-test\ncredential_source = "
        "Environment\n");
    auto env = base_env();
    env["AWS_ENDPOINT_URL_STS"] = sts.url();
    // A profile named in the configuration skips the environment's keys (botocore's rule for an
    // explicit profile); the profile then signs AssumeRole with them.
    s3::credentials_config cfg;
    cfg.profile = "ci";
    std::string text = failure<ff::config_error>([&] { s3::resolve_settings(cfg, env_of(env)); });
    EXPECT_TRUE(contains(text, "credential_source")) << text;
    EXPECT_TRUE(contains(text, "AWS_ACCESS_KEY_ID")) << text;
    env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    env["AWS_SECRET_ACCESS_KEY"] = "env-" + marker;
    auto r = s3::resolve_settings(cfg, env_of(env));
    EXPECT_EQ(r.creds.access_key_id.rfind("ASIA", 0), 0u) << r.credentials_source;
    // Through AWS_PROFILE the environment's keys come first, as in every SDK.
    env["AWS_PROFILE"] = "ci";
    EXPECT_EQ(s3::resolve_settings({}, env_of(env)).creds.access_key_id, "AKIDENV");
}

// --- credential_process --------------------------------------------------------------------

TEST_F(Providers, CredentialProcessSuccessAndFailures) {
    const auto script = home.path() / "helper.sh";
    const auto write_script = [&](const std::string& body) {
        write_file(script, "#!/bin/sh\n" + body);
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    };
    write_script("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"p-" +
                 marker + "\", \"SessionToken\": \"t-" + marker +
                 "\", \"Expiration\": \"2999-01-01T00:00:00Z\"}'\n");
    write_file(config_file(),
               "[default]\ncredential_process = " + script.string() + " --profile x\n");
    auto r = s3::resolve_settings({}, env_of(base_env()));
    EXPECT_EQ(r.creds.access_key_id, "AKIDPROC");
    EXPECT_EQ(r.creds.session_token, "t-" + marker);
    ASSERT_TRUE(r.cache);  // it has an Expiration: refreshed

    for (const std::string& body :
         {std::string("exit 3\n"), std::string("echo 'not json " + marker + "'\n"),
          std::string("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" +
                      marker + "\"}'\n"),
          std::string("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'\n"),
          std::string("head -c 100000 /dev/zero\n")}) {
        SCOPED_TRACE(body);
        write_script(body);
        const std::string text =
            failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(base_env())); });
        EXPECT_TRUE(contains(text, "credential_process")) << text;
        EXPECT_TRUE(contains(text, "profile 'default'")) << text;
    }
}

// --- the chain's order ---------------------------------------------------------------------

TEST_F(Providers, ChainOrderEnvironmentBeforeWebIdentityBeforeProfileBeforeContainer) {
    write_file(creds_file(), "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = f\n");
    auto env = base_env();
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/never-asked";
    EXPECT_EQ(s3::resolve_settings({}, env_of(env)).creds.access_key_id, "FILEKEY");
    env["AWS_WEB_IDENTITY_TOKEN_FILE"] = (home.path() / "missing").string();
    env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/x";
    // Web identity comes before the profile: its missing file is the error now.
    auto text = failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_TRUE(contains(text, "AWS_WEB_IDENTITY_TOKEN_FILE")) << text;
    env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
    env["AWS_SECRET_ACCESS_KEY"] = "e";
    EXPECT_EQ(s3::resolve_settings({}, env_of(env)).creds.access_key_id, "ENVKEY");
    // Static credentials need no refresh.
    EXPECT_FALSE(s3::resolve_settings({}, env_of(env)).cache);
}

// --- the cache -----------------------------------------------------------------------------

// Counts fetches; hands out credentials that live `lifetime`.
class counting_provider final : public s3::credentials_provider {
  public:
    explicit counting_provider(std::chrono::milliseconds lifetime) : lifetime_(lifetime) {}
    s3::timed_credentials fetch() override {
        const int n = ++count;
        if (fail)
            throw ff::s3_error("CredentialsEndpointError", "test provider: down", "", 500, "");
        return {{"KEY" + std::to_string(n), "secret", "token"},
                std::chrono::system_clock::now() + lifetime_};
    }
    std::string describe() const override { return "test provider"; }
    std::atomic<int> count{0};
    std::atomic<bool> fail{false};

  private:
    std::chrono::milliseconds lifetime_;
};

TEST_F(Providers, CacheRefreshesAheadOfExpirationInTheBackground) {
    auto p = std::make_shared<counting_provider>(std::chrono::milliseconds(2000));
    s3::credentials_cache cache(p);
    EXPECT_EQ(cache.current().access_key_id, "KEY1");
    // Within the prefetch window (the second half of the lifetime) the current set is still
    // handed out at once, and one background refresh brings the next.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto now = cache.try_current();
    ASSERT_TRUE(now);
    EXPECT_EQ(now->access_key_id, "KEY1");
    for (int i = 0; i < 100 && cache.try_current()->access_key_id == "KEY1"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(cache.try_current()->access_key_id, "KEY2");
    EXPECT_EQ(p->count.load(), 2);
}

TEST_F(Providers, CacheRunsOneRefreshForManyWaiters) {
    auto p = std::make_shared<counting_provider>(std::chrono::milliseconds(60'000));
    s3::credentials_cache cache(p);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] { EXPECT_EQ(cache.current().access_key_id, "KEY1"); });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(p->count.load(), 1);
    // A set the server refused is refreshed once, however many requests report it.
    const auto used = cache.current();
    cache.invalidate(used);
    cache.invalidate(used);
    EXPECT_FALSE(cache.try_current());
    EXPECT_EQ(cache.current().access_key_id, "KEY2");
    cache.invalidate(used);  // stale report of the old set: ignored
    EXPECT_TRUE(cache.try_current());
    EXPECT_EQ(p->count.load(), 2);
}

TEST_F(Providers, CacheFailedRefreshIsTheProvidersError) {
    auto p = std::make_shared<counting_provider>(std::chrono::milliseconds(60'000));
    p->fail = true;
    s3::credentials_cache cache(p);
    const std::string text = failure<ff::s3_error>([&] { cache.current(); });
    EXPECT_TRUE(contains(text, "test provider")) << text;
    p->fail = false;
    EXPECT_EQ(cache.current().access_key_id, "KEY2");
}

// The laptop case: no metadata service. Measured, not asserted (no timing thresholds in
// tests): the figure goes to the log of the test run.
TEST_F(Providers, LaptopFallThroughTimeIsMeasured) {
    auto env = base_env();
    env.erase("AWS_EC2_METADATA_DISABLED");  // the real default endpoint, 169.254.169.254
    const auto start = std::chrono::steady_clock::now();
    failure<ff::config_error>([&] { s3::resolve_settings({}, env_of(env)); });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    std::printf("credential chain fell through to 'no credentials' in %lld ms\n",
                static_cast<long long>(ms));
}

}  // namespace
