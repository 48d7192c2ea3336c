// Endpoint URL parsing and bucket/key addressing.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/core/endpoint.hpp"

namespace s3 = functionfuse::s3;

namespace {

TEST(ParseEndpointUrl, HttpWithPortKeepsPortInHostHeader) {
    auto ep = s3::parse_endpoint_url("http://127.0.0.1:4568");
    EXPECT_FALSE(ep.use_tls);
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_EQ(ep.port, 4568);
    EXPECT_FALSE(ep.default_port());
    EXPECT_EQ(ep.host_header(), "127.0.0.1:4568");
    EXPECT_EQ(ep.origin(), "http://127.0.0.1:4568");
}

TEST(ParseEndpointUrl, DefaultPortsAreLeftOutOfHostHeader) {
    auto ep = s3::parse_endpoint_url("https://s3.example.com/");
    EXPECT_TRUE(ep.use_tls);
    EXPECT_EQ(ep.port, 443);
    EXPECT_EQ(ep.host_header(), "s3.example.com");
    ep = s3::parse_endpoint_url("HTTP://minio.local");
    EXPECT_FALSE(ep.use_tls);
    EXPECT_EQ(ep.port, 80);
    EXPECT_EQ(ep.host_header(), "minio.local");
    ep = s3::parse_endpoint_url("https://s3.example.com:443");
    EXPECT_EQ(ep.host_header(), "s3.example.com") << "an explicit default port is still default";
    ep = s3::parse_endpoint_url("http://h:443");
    EXPECT_EQ(ep.host_header(), "h:443") << "443 is not the default for http";
}

TEST(ParseEndpointUrl, Ipv6LiteralIsBracketedOnlyInHostHeader) {
    auto ep = s3::parse_endpoint_url("http://[::1]:9000");
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.host_header(), "[::1]:9000");
}

TEST(ParseEndpointUrl, RejectsWhatItCannotHonour) {
    for (const char* bad : {"ftp://h", "127.0.0.1:9000", "http://h:99999", "http://h/base/path",
                            "http://h?x=1", "http://h#f", "", "http://"}) {
        SCOPED_TRACE(bad);
        try {
            s3::parse_endpoint_url(bad);
            ADD_FAILURE() << "accepted";
        } catch (const functionfuse::config_error& e) {
            EXPECT_EQ(e.field(), "endpoint_url");
        }
    }
}

TEST(ParseEndpointUrl, UserInfoIsRejectedWithoutShowingIt) {
    for (const char* url : {"http://AKID:s3cr3tvalue@h:9000", "http://AKID:s3cr3tvalue@h:bad"}) {
        try {
            s3::parse_endpoint_url(url);
            ADD_FAILURE() << "accepted";
        } catch (const functionfuse::config_error& e) {
            EXPECT_EQ(std::string(e.what()).find("s3cr3tvalue"), std::string::npos) << e.what();
        }
    }
}

TEST(ParseEndpointUrl, QueryAndFragmentAreNeverShown) {
    // A presigned URL pasted as the endpoint carries the session token in its query; every
    // error about such a URL (query, path, scheme, port, host) must leave the query out.
    for (const char* url :
         {"http://h:9000/?X-Amz-Security-Token=T0KENvalue",
          "http://h/p?X-Amz-Security-Token=T0KENvalue", "ftp://h?X-Amz-Security-Token=T0KENvalue",
          "http://h:99999?X-Amz-Security-Token=T0KENvalue",
          "http://h#X-Amz-Security-Token=T0KENvalue", "http://h/p#T0KENvalue",
          "http:// bad?X-Amz-Security-Token=T0KENvalue",
          "http://u:p@h:bad?X-Amz-Security-Token=T0KENvalue"}) {
        SCOPED_TRACE(url);
        try {
            s3::parse_endpoint_url(url);
            ADD_FAILURE() << "accepted";
        } catch (const functionfuse::config_error& e) {
            EXPECT_EQ(std::string(e.what()).find("T0KENvalue"), std::string::npos) << e.what();
        }
    }
}

TEST(AwsEndpoint, RegionalHostNames) {
    EXPECT_EQ(s3::aws_endpoint("us-east-1").origin(), "https://s3.us-east-1.amazonaws.com");
    EXPECT_EQ(s3::aws_endpoint("cn-north-1").host, "s3.cn-north-1.amazonaws.com.cn");
    EXPECT_THROW(s3::aws_endpoint(""), functionfuse::config_error);
    EXPECT_THROW(s3::aws_endpoint("evil.com/x"), functionfuse::config_error);
}

TEST(VirtualHostableBucket, FollowsDnsAndTlsRules) {
    EXPECT_TRUE(s3::is_virtual_hostable_bucket("my-bucket-1", true));
    EXPECT_TRUE(s3::is_virtual_hostable_bucket("my.bucket", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("my.bucket", true)) << "wildcard cert mismatch";
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("ab", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket(std::string(64, 'a'), false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("My-Bucket", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("my_bucket", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("-bucket", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("a..b", false));
    EXPECT_FALSE(s3::is_virtual_hostable_bucket("192.168.1.1", false));
}

TEST(AddressObject, PathStyleEncodesOnceAndKeepsPortInHost) {
    auto ep = s3::parse_endpoint_url("http://127.0.0.1:4568");
    auto a =
        s3::address_object(ep, s3::addressing_style::path, "bucket", "dir//a b+c=d@e?#%~\xc3\xa9");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.host_header, "127.0.0.1:4568");
    EXPECT_EQ(a.encoded_path, "/bucket/dir//a%20b%2Bc%3Dd%40e%3F%23%25~%C3%A9");
    EXPECT_FALSE(a.virtual_hosted);
    EXPECT_EQ(s3::address_object(ep, s3::addressing_style::path, "bucket", "").encoded_path,
              "/bucket");
    EXPECT_EQ(s3::address_object(ep, s3::addressing_style::path, "", "").encoded_path, "/");
    EXPECT_EQ(s3::address_object(ep, s3::addressing_style::path, "b", "./x/../y").encoded_path,
              "/b/./x/../y")
        << "never normalized";
}

TEST(AddressObject, VirtualHostedPutsBucketInHost) {
    auto ep = s3::aws_endpoint("eu-west-1");
    auto a = s3::address_object(ep, s3::addressing_style::virtual_hosted, "my-bucket", "k 1");
    EXPECT_TRUE(a.virtual_hosted);
    EXPECT_EQ(a.host, "my-bucket.s3.eu-west-1.amazonaws.com");
    EXPECT_EQ(a.host_header, "my-bucket.s3.eu-west-1.amazonaws.com");
    EXPECT_EQ(a.encoded_path, "/k%201");
    EXPECT_EQ(
        s3::address_object(ep, s3::addressing_style::virtual_hosted, "my-bucket", "").encoded_path,
        "/");

    auto custom = s3::parse_endpoint_url("http://minio.local:9000");
    a = s3::address_object(custom, s3::addressing_style::virtual_hosted, "b-1", "k");
    EXPECT_EQ(a.host_header, "b-1.minio.local:9000");
}

TEST(AddressObject, VirtualHostedFallsBackToPathStyleWhenItCannotWork) {
    auto tls = s3::aws_endpoint("us-east-1");
    auto a = s3::address_object(tls, s3::addressing_style::virtual_hosted, "dotted.bucket", "k");
    EXPECT_FALSE(a.virtual_hosted);
    EXPECT_EQ(a.host, "s3.us-east-1.amazonaws.com");
    EXPECT_EQ(a.encoded_path, "/dotted.bucket/k");

    auto ip = s3::parse_endpoint_url("http://127.0.0.1:4568");
    a = s3::address_object(ip, s3::addressing_style::virtual_hosted, "bucket", "k");
    EXPECT_FALSE(a.virtual_hosted);
    EXPECT_EQ(a.encoded_path, "/bucket/k");
}

TEST(AddressObject, AutomaticIsVirtualOnAwsAndPathElsewhere) {
    const auto aws = s3::aws_endpoint("eu-west-1");
    EXPECT_TRUE(
        s3::address_object(aws, s3::addressing_style::automatic, "my-bucket", "k").virtual_hosted);
    const auto cn = s3::aws_endpoint("cn-north-1");
    EXPECT_TRUE(
        s3::address_object(cn, s3::addressing_style::automatic, "my-bucket", "k").virtual_hosted);
    // Names AWS cannot put in a host, over TLS: path-style.
    for (const char* bucket : {"dotted.bucket", "Upper", "under_score", "ab"}) {
        EXPECT_FALSE(
            s3::address_object(aws, s3::addressing_style::automatic, bucket, "k").virtual_hosted)
            << bucket;
    }
    // Custom endpoints: IP literals, localhost, and named hosts without known wildcard DNS.
    for (const char* url : {"http://127.0.0.1:9000", "http://[::1]:9000", "http://localhost:9000",
                            "https://minio.example.com", "https://s3.test:8443"}) {
        const auto ep = s3::parse_endpoint_url(url);
        const auto a = s3::address_object(ep, s3::addressing_style::automatic, "bucket", "k");
        EXPECT_FALSE(a.virtual_hosted) << url;
        EXPECT_EQ(a.encoded_path, "/bucket/k") << url;
        EXPECT_EQ(a.host, ep.host) << url;
    }
    EXPECT_TRUE(s3::is_aws_host("s3.us-east-1.amazonaws.com"));
    EXPECT_FALSE(s3::is_aws_host("amazonaws.com.evil.example"));
    EXPECT_EQ(s3::client_params{}.addressing, s3::addressing_style::automatic);
}

TEST(ResolveMap, TakesHostNamesToIpLiteralsOnly) {
    EXPECT_NO_THROW(s3::check_resolve_map({{"b.s3.test", "127.0.0.1"}, {"s3.test", "::1"}}, "f"));
    const std::map<std::string, std::string> bad[] = {
        {{"", "127.0.0.1"}},          {{"host\r\nX-Evil: 1", "127.0.0.1"}},
        {{"host/../x", "127.0.0.1"}}, {{"h", "not-an-ip"}},
        {{"h", "127.0.0.1\n"}},       {{"h", "example.com"}},
    };
    for (const auto& m : bad) {
        try {
            s3::check_resolve_map(m, "options.resolve");
            ADD_FAILURE() << "accepted " << m.begin()->first << " -> " << m.begin()->second;
        } catch (const functionfuse::config_error& e) {
            EXPECT_EQ(e.field().rfind("options.resolve", 0), 0u) << e.what();
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
        }
    }
}

}  // namespace
