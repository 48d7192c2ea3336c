// The "S3" kind's config: the Python original's s3fs shape and the native keys map onto the
// client's settings; every bad config is a config_error naming the field, never a secret.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/s3_options.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/log.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"

namespace ff = functionfuse;
namespace json = boost::json;

namespace {

const std::string secret = "s3cr3t/SECRET+value";

/// An empty environment: nothing may leak in from the machine running the test.
const ff::s3::env_lookup no_env = [](std::string_view) -> std::optional<std::string> {
    return std::nullopt;
};

ff::s3_storage_options read(const std::string& options_json) {
    return ff::detail::read_s3_options(json::parse(options_json), no_env);
}

TEST(S3Config, PythonShapeMapsOntoTheClient) {
    auto o = read(R"({"path": "bucket/a/b/", "s3fs": {"key": "AK", "secret": "SK", "token": "TK",
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:4568", "region_name": "eu-west-1"}}})");
    EXPECT_EQ(o.location.bucket, "bucket");
    EXPECT_EQ(o.location.prefix, "a/b");
    EXPECT_EQ(o.client.host, "127.0.0.1");
    EXPECT_EQ(o.client.port, 4568);
    EXPECT_FALSE(o.client.use_tls);
    EXPECT_EQ(o.client.region, "eu-west-1");
    EXPECT_EQ(o.client.creds.access_key_id, "AK");
    EXPECT_EQ(o.client.creds.secret_access_key, "SK");
    EXPECT_EQ(o.client.creds.session_token, "TK");
    EXPECT_EQ(o.client.addressing, ff::s3::addressing_style::automatic);  // path-style there
}

TEST(S3Config, NativeKeysMapOntoTheClient) {
    auto o = read(R"({"path": "s3://bkt", "endpoint": "https://s3.example.com:9000",
        "region": "us-west-2", "addressing": "virtual", "anonymous": true, "max_connections": 7,
        "retry": {"max_attempts": 3, "base_delay_ms": 10, "max_delay_ms": 100},
        "tls": {"ca_file": "/tmp/ca.pem", "verify": false}, "timeout_ms": 1234,
        "multipart": {"threshold": 100000000, "part_size": 6000000}})");
    EXPECT_EQ(o.location.bucket, "bkt");
    EXPECT_EQ(o.location.prefix, "");
    EXPECT_EQ(o.client.host, "s3.example.com");
    EXPECT_EQ(o.client.port, 9000);
    EXPECT_TRUE(o.client.use_tls);
    EXPECT_EQ(o.client.region, "us-west-2");
    EXPECT_EQ(o.client.addressing, ff::s3::addressing_style::virtual_hosted);
    EXPECT_TRUE(o.client.creds.anonymous());
    EXPECT_EQ(o.client.max_connections, 7u);
    EXPECT_EQ(o.client.retry.max_attempts, 3);
    EXPECT_EQ(o.client.retry.base_delay.count(), 10);
    EXPECT_EQ(o.client.retry.max_delay.count(), 100);
    EXPECT_EQ(o.client.tls.ca_file, "/tmp/ca.pem");
    EXPECT_FALSE(o.client.tls.verify_peer);
    EXPECT_EQ(o.client.request_timeout.count(), 1234);
    EXPECT_EQ(o.client.multipart.threshold, 100000000u);
    EXPECT_EQ(o.client.multipart.part_size, 6000000u);
}

// A probe that keeps failing (no permission at the storage's root) must not cost every save a
// probe: after max_failed_probes the storage stays on the read-first path.
TEST(S3Config, ConditionalWritesGiveUpAfterAFewFailedProbes) {
    using ff::detail::conditional_support;
    conditional_support support(ff::detail::conditional_writes_mode::automatic);
    for (int i = 0; i < conditional_support::max_failed_probes; ++i) {
        ASSERT_EQ(support.next(), conditional_support::step::probe) << i;
        EXPECT_EQ(support.next(), conditional_support::step::skip);  // one probe at a time
        support.probe_failed();
    }
    EXPECT_EQ(support.next(), conditional_support::step::skip);
    EXPECT_EQ(support.next(), conditional_support::step::skip);

    // Cancelled probes are not failures: the storage keeps probing.
    conditional_support cancelled(ff::detail::conditional_writes_mode::automatic);
    for (int i = 0; i < 2 * conditional_support::max_failed_probes; ++i) {
        ASSERT_EQ(cancelled.next(), conditional_support::step::probe) << i;
        cancelled.probe_cancelled();
    }
    EXPECT_EQ(cancelled.next(), conditional_support::step::probe);

    conditional_support lucky(ff::detail::conditional_writes_mode::automatic);
    ASSERT_EQ(lucky.next(), conditional_support::step::probe);
    lucky.probe_failed();
    ASSERT_EQ(lucky.next(), conditional_support::step::probe);
    lucky.probed(true);
    EXPECT_EQ(lucky.next(), conditional_support::step::use);
}

TEST(S3Config, ConditionalWritesIsAutoTrueOrFalse) {
    using ff::detail::conditional_writes_mode;
    const std::string base = R"({"path": "b", "endpoint": "http://127.0.0.1:1", "anonymous": true)";
    EXPECT_EQ(read(base + "}").conditional_writes, conditional_writes_mode::automatic);
    EXPECT_EQ(read(base + R"(, "conditional_writes": "auto"})").conditional_writes,
              conditional_writes_mode::automatic);
    EXPECT_EQ(read(base + R"(, "conditional_writes": true})").conditional_writes,
              conditional_writes_mode::on);
    EXPECT_EQ(read(base + R"(, "conditional_writes": false})").conditional_writes,
              conditional_writes_mode::off);
    for (const char* bad : {R"("yes")", R"("AUTO")", "1", "null", "[]"}) {
        SCOPED_TRACE(bad);
        try {
            read(base + R"(, "conditional_writes": )" + bad + "}");
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_NE(std::string(e.what()).find("options.conditional_writes"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("\"auto\", true or false"), std::string::npos)
                << e.what();
        }
    }
}

TEST(S3Config, CredentialsFallBackToTheEnvironment) {
    const ff::s3::env_lookup env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "AWS_ACCESS_KEY_ID")
            return "ENVKEY";
        if (name == "AWS_SECRET_ACCESS_KEY")
            return "ENVSECRET";
        if (name == "AWS_ENDPOINT_URL")
            return "http://localhost:1234";
        return std::nullopt;
    };
    auto o = ff::detail::read_s3_options(json::parse(R"({"path": "b/p"})"), env);
    EXPECT_EQ(o.client.creds.access_key_id, "ENVKEY");
    EXPECT_EQ(o.client.creds.secret_access_key, "ENVSECRET");
    EXPECT_EQ(o.client.host, "localhost");
    EXPECT_EQ(o.client.port, 1234);
    // No endpoint anywhere: AWS, virtual-hosted.
    const ff::s3::env_lookup keys_only = [&](std::string_view name) {
        return name == "AWS_ENDPOINT_URL" ? std::nullopt : env(name);
    };
    auto aws = ff::detail::read_s3_options(json::parse(R"({"path": "b"})"), keys_only);
    EXPECT_EQ(aws.client.host, "s3.us-east-1.amazonaws.com");
    EXPECT_TRUE(aws.client.use_tls);
    EXPECT_EQ(aws.client.addressing, ff::s3::addressing_style::automatic);  // virtual there
}

TEST(S3Config, AddressingAndResolve) {
    for (const auto& [text, style] : std::vector<std::pair<std::string, ff::s3::addressing_style>>{
             {"auto", ff::s3::addressing_style::automatic},
             {"path", ff::s3::addressing_style::path},
             {"virtual", ff::s3::addressing_style::virtual_hosted}}) {
        auto o = read(R"({"path": "b", "anonymous": true, "endpoint": "http://s3.test:80",
            "addressing": ")" +
                      text + R"(", "resolve": {"b.s3.test": "127.0.0.1"}})");
        EXPECT_EQ(o.client.addressing, style) << text;
        EXPECT_EQ(o.client.resolve.at("b.s3.test"), "127.0.0.1");
    }
}

TEST(S3Config, ThePythonOriginalsLeadingSlashPathIsAccepted) {
    // The original builds "s3:/" + path, so its users write "/bucket/prefix".
    auto o = read(R"({"path": "/bucket/a/b", "anonymous": true})");
    EXPECT_EQ(o.location.bucket, "bucket");
    EXPECT_EQ(o.location.prefix, "a/b");
    EXPECT_EQ(read(R"({"path": "/bucket", "anonymous": true})").location.bucket, "bucket");
}

TEST(S3Config, HarmlessS3fsOptionsAreAcceptedAndLogged) {
    std::vector<std::string> lines;
    ff::set_log_sink([&](ff::log_level, std::string_view component, std::string_view message) {
        lines.push_back(std::string(component) + ": " + std::string(message));
    });
    ff::set_log_level(ff::log_level::debug);
    auto o = read(R"({"path": "b", "s3fs": {"anon": true, "use_ssl": true,
        "default_block_size": 5242880, "default_fill_cache": false, "default_cache_type": "none",
        "version_aware": false, "cache_regions": false, "skip_instance_cache": true,
        "use_listings_cache": false, "max_concurrency": 4,
        "config_kwargs": {"max_pool_connections": 50, "retries": {"max_attempts": 3}},
        "endpoint_url": "https://s3.example.com"}})");
    ff::set_log_level(ff::log_level::warn);  // the default
    ff::set_log_sink(nullptr);
    EXPECT_TRUE(o.client.creds.anonymous());
    EXPECT_TRUE(o.client.use_tls);
    bool logged = false;
    for (const auto& l : lines)
        logged |= l.find("s3.config: options.s3fs.config_kwargs accepted and ignored") == 0;
    EXPECT_TRUE(logged);
    // use_ssl=false means plain HTTP where no endpoint URL names a scheme (the AWS default).
    auto plain = read(R"({"path": "b", "region": "eu-west-1", "s3fs": {"anon": true,
        "use_ssl": false}})");
    EXPECT_FALSE(plain.client.use_tls);
    EXPECT_EQ(plain.client.port, 80);
    auto tls = read(R"({"path": "b", "s3fs": {"anon": true, "use_ssl": false,
        "endpoint_url": "https://s3.example.com"}})");
    EXPECT_TRUE(tls.client.use_tls);
}

TEST(S3Config, BadConfigsNameTheFieldAndNeverTheSecret) {
    const std::string creds = R"("s3fs": {"key": "AK", "secret": ")" + secret + R"("})";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({)" + creds + "}", "options.path"},
        {R"({"path": "", )" + creds + "}", "options.path"},
        {R"({"path": "//prefix", )" + creds + "}", "options.path"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret + R"(", "use_ssl": "no"}})",
         "options.s3fs.use_ssl"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret +
             R"(", "default_block_size": "big"}})",
         "options.s3fs.default_block_size"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret +
             R"(", "config_kwargs": 1}})",
         "options.s3fs.config_kwargs"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret +
             R"(", "s3_additional_kwargs": {"ServerSideEncryption": "AES256"}}})",
         "options.s3fs.s3_additional_kwargs"},
        {R"({"path": 3, )" + creds + "}", "options.path"},
        {R"({"path": "b", "bogus": 1, )" + creds + "}", "options.bogus"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret + R"(", "colour": 1}})",
         "options.s3fs.colour"},
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": ")" + secret +
             R"(", "client_kwargs": {"region_name": 5}}})",
         "options.s3fs.client_kwargs.region_name"},
        {R"({"path": "b", "s3fs": {"key": 5, "secret": ")" + secret + R"("}})", "options.s3fs.key"},
        {R"({"path": "b", "s3fs": {"secret": ")" + secret + R"("}})", "options.s3fs.key"},
        {R"({"path": "b", "s3fs": {"key": "AK"}})", "options.s3fs.secret"},
        {R"({"path": "b", "max_connections": "many", )" + creds + "}", "options.max_connections"},
        {R"({"path": "b", "max_connections": 0, )" + creds + "}", "options.max_connections"},
        {R"({"path": "b", "max_connections": -1, )" + creds + "}", "options.max_connections"},
        {R"({"path": "b", "addressing": "sideways", )" + creds + "}", "options.addressing"},
        {R"({"path": "b", "resolve": ["h"], )" + creds + "}", "options.resolve"},
        {R"({"path": "b", "resolve": {"h": 1}, )" + creds + "}", "options.resolve.h"},
        {R"({"path": "b", "resolve": {"h": "nowhere"}, )" + creds + "}", "options.resolve.h"},
        {R"({"path": "b", "resolve": {"a b": "127.0.0.1"}, )" + creds + "}", "options.resolve"},
        {R"({"path": "b", "retry": {"max_attempts": 0}, )" + creds + "}",
         "options.retry.max_attempts"},
        {R"({"path": "b", "retry": {"tries": 2}, )" + creds + "}", "options.retry.tries"},
        {R"({"path": "b", "tls": {"verify": "yes"}, )" + creds + "}", "options.tls.verify"},
        {R"({"path": "b", "multipart": {"part_size": 1024}, )" + creds + "}",
         "options.multipart.part_size"},
        {R"({"path": "b", "timeout_ms": 1.5, )" + creds + "}", "options.timeout_ms"},
        {R"({"path": "b", "endpoint": "ftp://host", )" + creds + "}", "options.endpoint"},
        {R"({"path": "b", "endpoint": "http://a", "s3fs": {"key": "AK", "secret": ")" + secret +
             R"(", "endpoint_url": "http://b"}})",
         "options.endpoint"},
    };
    for (const auto& [options, field] : cases) {
        SCOPED_TRACE(options);
        try {
            read(options);
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), field) << e.what();
            EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
        }
    }
}

TEST(S3Config, ControlBytesAreRefusedNamingTheFieldNeverTheValue) {
    // Each of these reached the async path's HTTP request as it was: "\r\nX-Evil: 1" became
    // a header line of its own.
    const std::string ep = R"("endpoint": "http://127.0.0.1:9", )";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"path": "b", "s3fs": {"key": "AK", "secret": "SK", "client_kwargs":
            {"endpoint_url": "http://127.0.0.1:9", "region_name": "us-east-1\r\nX-Evil: 1"}}})",
         "options.s3fs.client_kwargs.region_name"},
        {R"({"path": "b", )" + ep + R"("region": "us-east-1\r\nX-Evil: 1",
            "s3fs": {"key": "AK", "secret": "SK"}})",
         "options.region"},
        {R"({"path": "b", )" + ep + R"("s3fs": {"key": "AK\r\nX-Evil: 1", "secret": "SK"}})",
         "options.s3fs.key"},
        {R"({"path": "b", )" + ep +
             R"("s3fs": {"key": "AK", "secret": "SK", "token": "T\r\nX-Evil: 1"}})",
         "options.s3fs.token"},
        {R"({"path": "b", )" + ep + R"("s3fs": {"key": "AK", "secret": "S\nX-Evil: 1"}})",
         "options.s3fs.secret"},
        {R"({"path": "b", )" + ep + R"("s3fs": {"key": "AK", "secret": "SK", "token": "T\u0000"}})",
         "options.s3fs.token"},
        {R"({"path": "b", "endpoint": "http://h%0d%0aX-Evil:9", "s3fs": {"key": "AK",
            "secret": "SK"}})",
         "options.endpoint"},
        {R"({"path": "b", )" + ep +
             R"("region": "eu/west", "s3fs": {"key": "AK", "secret": "SK"}})",
         "options.region"},
    };
    for (const auto& [options, field] : cases) {
        SCOPED_TRACE(options);
        try {
            read(options);
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), field) << e.what();
            EXPECT_EQ(std::string(e.what()).find("X-Evil"), std::string::npos) << e.what();
        }
    }
    // The same from the environment names the variable.
    for (const char* var : {"AWS_REGION", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"}) {
        SCOPED_TRACE(var);
        const ff::s3::env_lookup env = [&](std::string_view name) -> std::optional<std::string> {
            if (name == var)
                return "v\r\nX-Evil: 1";
            if (name == "AWS_ACCESS_KEY_ID")
                return "AK";
            if (name == "AWS_SECRET_ACCESS_KEY")
                return "SK";
            return std::nullopt;
        };
        const auto config = json::parse(R"({"path": "b", "endpoint": "http://127.0.0.1:9"})");
        try {
            ff::detail::read_s3_options(config, env);
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), var) << e.what();
            EXPECT_EQ(std::string(e.what()).find("X-Evil"), std::string::npos) << e.what();
        }
    }
}

TEST(S3Config, DotSegmentsInThePathAreRefused) {
    // "bucket/../../etc" was sent literally, and s3rver wrote outside its data directory.
    for (const char* path : {"bucket/../../etc", "../etc", "s3://b/..", "b/./x", "b/a/..", ".",
                             "b/a\\\\b" /* JSON text for a backslash */}) {
        SCOPED_TRACE(path);
        const std::string options =
            R"({"path": ")" + std::string(path) + R"(", "s3fs": {"key": "AK", "secret": "SK"}})";
        try {
            read(options);
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), "options.path") << e.what();
        }
    }
    // Dots inside a segment are fine, and so are repeated slashes (dropped).
    auto o = read(R"({"path": "b/a..b/.hidden//x/", "s3fs": {"key": "AK", "secret": "SK"}})");
    EXPECT_EQ(o.location.prefix, "a..b/.hidden/x");
}

TEST(S3Config, AMissingProfileIsReportedAtTheFieldThatNamedIt) {
    // `profile` directly under `options` was reported as options.s3fs.profile.
    for (const auto& [options, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"path": "b", "profile": "nosuch"})", "options.profile"},
             {R"({"path": "b", "s3fs": {"profile": "nosuch"}})", "options.s3fs.profile"}}) {
        SCOPED_TRACE(options);
        try {
            read(options);
            ADD_FAILURE() << "accepted";
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), field) << e.what();
        }
    }
}

TEST(S3Config, FactoryKnowsTheS3KindOnBothPaths) {
    const auto cfg = json::parse(R"({"kind": "S3", "options": {"path": "bucket/p",
        "s3fs": {"key": "AK", "secret": "SK", "endpoint_url": "http://127.0.0.1:9"}}})");
    EXPECT_NE(ff::storage_factory(cfg), nullptr);
    EXPECT_NE(ff::sync::storage_factory(cfg), nullptr);
    const auto bad = json::parse(R"({"kind": "S3", "options": {"path": "bucket/p",
        "s3fs": {"key": "AK", "secret": "SK", "endpoint_url": "http://127.0.0.1:9"}, "x": 1}})");
    EXPECT_THROW(ff::storage_factory(bad), ff::config_error);
    EXPECT_THROW(ff::sync::storage_factory(bad), ff::config_error);
}

}  // namespace
