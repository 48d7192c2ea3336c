// The S3 client against a real s3rver (checks every SigV4 signature), once over HTTP and once
// over HTTPS (the same binary, run by two ctest fixtures).
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "for_each_concurrently.hpp"
#include "functionfuse/error.hpp"
#include "s3_server_test.hpp"

namespace s3 = functionfuse::s3;
namespace asio = boost::asio;

namespace {

class S3Client : public ff_test::s3_server_test {
  protected:
    std::unique_ptr<s3::client> make_client() {
        return std::make_unique<s3::client>(ctx.get_executor(), endpoint.params);
    }
};

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; i += 8) {
        const auto v = rng();
        for (std::size_t j = 0; j < 8 && i + j < n; ++j)
            s[i + j] = static_cast<char>(v >> (8 * j));
    }
    return s;
}

using ff_test::for_each_concurrently;

}  // namespace

TEST_F(S3Client, PutGetHeadDeleteRoundTrip) {
    auto cp = make_client();
    auto& c = *cp;
    const std::string key = prefix + "object.bin";
    const std::string body = random_bytes(100'000, 1);
    run([&]() -> asio::awaitable<void> {
        const std::string etag = co_await c.put_object(endpoint.bucket, key, body);
        EXPECT_FALSE(etag.empty());
        EXPECT_EQ(co_await c.get_object(endpoint.bucket, key), body);
        EXPECT_EQ(co_await c.get_object(endpoint.bucket, key, s3::byte_range{10, 19}),
                  body.substr(10, 10));
        auto info = co_await c.head_object(endpoint.bucket, key);
        EXPECT_TRUE(info.has_value());
        if (info) {
            EXPECT_EQ(info->size, body.size());
            EXPECT_EQ(info->etag, etag);
        }
        co_await c.delete_object(endpoint.bucket, key);
        EXPECT_FALSE((co_await c.head_object(endpoint.bucket, key)).has_value());
        co_await c.delete_object(endpoint.bucket, key);  // deleting what is gone succeeds
    }());
}

TEST_F(S3Client, EmptyObjectRoundTrips) {
    auto cp = make_client();
    auto& c = *cp;
    run([&]() -> asio::awaitable<void> {
        co_await c.put_object(endpoint.bucket, prefix + "empty", std::string_view{});
        EXPECT_EQ(co_await c.get_object(endpoint.bucket, prefix + "empty"), "");
    }());
}

TEST_F(S3Client, MissingObjectIsNotFound) {
    auto cp = make_client();
    auto& c = *cp;
    EXPECT_THROW(run(c.get_object(endpoint.bucket, prefix + "nothing-here")),
                 functionfuse::not_found);
    EXPECT_FALSE(run(c.head_object(endpoint.bucket, prefix + "nothing-here")));
}

TEST_F(S3Client, GetInMissingBucketIsNoSuchBucketNotAMissingObject) {
    auto cp = make_client();
    auto& c = *cp;
    const std::string bucket = "ff-no-such-bucket-" + std::to_string(std::random_device{}());
    try {
        run(c.get_object(bucket, prefix + "k"));
        FAIL() << "no error for a missing bucket";
    } catch (const functionfuse::s3_error& e) {
        EXPECT_EQ(e.code(), "NoSuchBucket") << e.what();
        EXPECT_EQ(e.http_status(), 404);
        EXPECT_EQ(e.key(), prefix + "k");
        EXPECT_EQ(std::string(e.what()).find(endpoint.params.creds.secret_access_key),
                  std::string::npos)
            << e.what();
    }
    // HEAD answers carry no error code: a missing bucket is indistinguishable there.
    EXPECT_FALSE(run(c.head_object(bucket, prefix + "k")));
}

TEST_F(S3Client, ListsFifteenHundredKeysAcrossPagesAndDeletesThemInBatches) {
    auto cp = make_client();
    auto& c = *cp;
    std::vector<std::string> keys;
    for (int i = 0; i < 1500; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "k%05d", i);
        keys.push_back(prefix + (i % 3 == 0 ? "dir/" : "") + name);
    }
    std::sort(keys.begin(), keys.end());
    run([&]() -> asio::awaitable<void> {
        co_await for_each_concurrently(keys.size(), 32,
                                       [&](std::size_t i) -> asio::awaitable<void> {
                                           co_await c.put_object(endpoint.bucket, keys[i], keys[i]);
                                       });
        s3::list_result all = co_await c.list_objects_v2(endpoint.bucket, prefix);
        std::vector<std::string> listed;
        for (auto& o : all.objects)
            listed.push_back(o.key);
        EXPECT_EQ(listed, keys);

        s3::list_result top = co_await c.list_objects_v2(endpoint.bucket, prefix, "/");
        EXPECT_EQ(top.common_prefixes, std::vector<std::string>{prefix + "dir/"});
        EXPECT_EQ(top.objects.size(), 1000u);  // 1500 - 500 under dir/

        auto failures = co_await c.delete_objects(endpoint.bucket, keys);
        EXPECT_TRUE(failures.empty());
        EXPECT_TRUE((co_await c.list_objects_v2(endpoint.bucket, prefix)).objects.empty());
    }());
}

// (XML metacharacters & < > " ' are not in the set: s3rver 4.0.4 escapes them twice in
// listings. Our side of that is covered by xml_documents_test.)
TEST_F(S3Client, KeysWithSpecialCharactersRoundTripAndListExactly) {
    auto cp = make_client();
    auto& c = *cp;
    const std::vector<std::string> names = {
        "with space",       "plus+sign",     "equals=sign",
        "at@sign",          "question?mark", "hash#mark",
        "percent%25and%",   "tilde~",        "caf\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC",

        "semi;colon,comma", "star*(paren)!$"};
    std::vector<std::string> keys;
    for (auto& n : names)
        keys.push_back(prefix + n);
    std::sort(keys.begin(), keys.end());
    run([&]() -> asio::awaitable<void> {
        for (auto& k : keys)
            co_await c.put_object(endpoint.bucket, k, "body of " + k);
        for (auto& k : keys)
            EXPECT_EQ(co_await c.get_object(endpoint.bucket, k), "body of " + k) << k;
        s3::list_result listed = co_await c.list_objects_v2(endpoint.bucket, prefix);
        std::vector<std::string> got;
        for (auto& o : listed.objects)
            got.push_back(o.key);
        EXPECT_EQ(got, keys);
        EXPECT_TRUE((co_await c.delete_objects(endpoint.bucket, keys)).empty());
        EXPECT_TRUE((co_await c.list_objects_v2(endpoint.bucket, prefix)).objects.empty());
    }());
}

TEST_F(S3Client, MultipartUploadOf200MiBRoundTripsByteExact) {
    auto params = endpoint.params;
    s3::client c(ctx.get_executor(), params);
    const std::string key = prefix + "big.bin";
    const std::string body = random_bytes(200ull << 20, 7);
    run([&]() -> asio::awaitable<void> {
        const std::string etag = co_await c.put_object(endpoint.bucket, key, body);
        auto info = co_await c.head_object(endpoint.bucket, key);
        EXPECT_TRUE(info);
        if (info) {
            EXPECT_EQ(info->size, body.size());
            // RGW's completion answer carries no ETag (`<ETag></ETag>`), HEAD shows S3's
            // multipart form "<md5 of part md5s>-<parts>" (200 MiB in 8 MiB parts: 25).
            // s3rver answers the completion with the ETag HEAD shows (a plain MD5).
            if (endpoint.server.is_rgw()) {
                EXPECT_EQ(etag, "");
                EXPECT_NE(info->etag.find("-25"), std::string::npos) << info->etag;
            } else {
                EXPECT_EQ(etag, info->etag);
            }
        }
        const std::string back = co_await c.get_object(endpoint.bucket, key);
        EXPECT_TRUE(back == body) << "sizes " << back.size() << " vs " << body.size();
        co_await c.delete_object(endpoint.bucket, key);
    }());
}

TEST_F(S3Client, WrongSecretIsSignatureDoesNotMatchWithoutTheSecret) {
    auto params = endpoint.params;
    const std::string secret = "wrong-secret-Zq8XvT3kP";
    params.creds.secret_access_key = secret;
    s3::client c(ctx.get_executor(), params);
    try {
        run(c.put_object(endpoint.bucket, prefix + "x", "data"));
        FAIL() << "expected s3_error";
    } catch (const functionfuse::s3_error& e) {
        EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
        EXPECT_EQ(e.http_status(), 403);
        EXPECT_EQ(e.key(), prefix + "x");
        EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
        EXPECT_EQ(e.message().find(secret), std::string::npos);
    }
}

TEST_F(S3Client, SelfSignedCertificateWithoutItsCaIsATlsError) {
    if (!endpoint.params.use_tls)
        GTEST_SKIP() << "HTTPS only";
    auto params = endpoint.params;
    params.tls.ca_file.clear();  // system CAs only: s3rver's test CA is not among them
    ::unsetenv("AWS_CA_BUNDLE");
    s3::client c(ctx.get_executor(), params);
    try {
        run(c.put_object(endpoint.bucket, prefix + "x", "data"));
        FAIL() << "expected io_error";
    } catch (const functionfuse::io_error& e) {
        EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
    }
}

TEST_F(S3Client, CaFromAwsCaBundleIsHonoured) {
    if (!endpoint.params.use_tls)
        GTEST_SKIP() << "HTTPS only";
    auto params = endpoint.params;
    ::setenv("AWS_CA_BUNDLE", params.tls.ca_file.c_str(), 1);
    params.tls.ca_file.clear();
    s3::client c(ctx.get_executor(), params);
    run(c.put_object(endpoint.bucket, prefix + "x", "data"));
    EXPECT_EQ(run(c.get_object(endpoint.bucket, prefix + "x")), "data");
    ::unsetenv("AWS_CA_BUNDLE");
}

TEST_F(S3Client, HostNameMismatchIsRejected) {
    if (!endpoint.params.use_tls)
        GTEST_SKIP() << "HTTPS only";
    auto params = endpoint.params;
    // "127.1" resolves to 127.0.0.1 (the same server, a trusted chain) but is not a name the
    // certificate holds (IP:127.0.0.1, DNS:localhost): only host-name verification rejects it.
    params.host = "127.1";
    s3::client c(ctx.get_executor(), params);
    try {
        run(c.put_object(endpoint.bucket, prefix + "x", "data"));
        FAIL() << "expected io_error";
    } catch (const functionfuse::io_error& e) {
        EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
    }
}

TEST_F(S3Client, ConnectionsAreBoundedAndReused) {
    auto params = endpoint.params;
    params.max_connections = 4;
    s3::client c(ctx.get_executor(), params);
    run([&]() -> asio::awaitable<void> {
        co_await for_each_concurrently(64, 16, [&](std::size_t i) -> asio::awaitable<void> {
            co_await c.put_object(endpoint.bucket, prefix + std::to_string(i), "v");
            EXPECT_LE(c.open_connections(), 4u);
        });
    }());
    EXPECT_GE(c.open_connections(), 1u);
    EXPECT_LE(c.open_connections(), 4u);
}

// `virtual` against a server that takes virtual-hosted requests (RGW with `rgw dns name`):
// the client connects to "<bucket>.<domain>", the only name pinned by `resolve` (the machine's
// DNS knows neither), and the request path does not name the bucket, so the server can only
// find it in the Host header. A path-style client on the IP endpoint sees the same objects.
TEST_F(S3Client, VirtualHostedRequestsPutTheBucketInTheHost) {
    if (endpoint.server.vhost_domain.empty())
        GTEST_SKIP() << endpoint.server.name << " is not set up for virtual-hosted requests";
    auto params = endpoint.params;
    params.host = endpoint.server.vhost_domain;
    params.addressing = s3::addressing_style::virtual_hosted;
    params.resolve = {{endpoint.bucket + "." + params.host, "127.0.0.1"}};
    params.multipart.threshold = 8u << 20;  // the big body goes in two parts
    s3::client vc(ctx.get_executor(), params);
    s3::client pc(ctx.get_executor(), endpoint.params);
    const std::string body = "addressed by host";
    const std::string big(14u << 20, 'v');
    run([&]() -> asio::awaitable<void> {
        const std::string small_key = prefix + "small", big_key = prefix + "big";
        co_await vc.put_object(endpoint.bucket, small_key, body);
        EXPECT_EQ(co_await pc.get_object(endpoint.bucket, small_key), body);
        co_await vc.put_object(endpoint.bucket, big_key, big);
        EXPECT_TRUE(co_await pc.get_object(endpoint.bucket, big_key) == big);
        EXPECT_EQ(co_await vc.get_object(endpoint.bucket, small_key), body);
        const auto listed = co_await vc.list_objects_v2(endpoint.bucket, prefix);
        EXPECT_EQ(listed.objects.size(), 2u);
        const std::vector<std::string> keys{small_key, big_key};
        EXPECT_TRUE((co_await vc.delete_objects(endpoint.bucket, keys)).empty());
        EXPECT_TRUE((co_await pc.list_objects_v2(endpoint.bucket, prefix)).objects.empty());
    }());
}

// A bucket name with dots cannot be virtual-hosted over TLS (the wildcard certificate covers
// one label): `virtual` falls back to path-style there, so only the domain itself is pinned.
TEST_F(S3Client, DottedBucketOverTlsFallsBackToPathStyle) {
    if (endpoint.server.vhost_domain.empty())
        GTEST_SKIP() << endpoint.server.name << " is not set up for virtual-hosted requests";
    if (endpoint.scheme != "https")
        GTEST_SKIP() << "HTTPS only: over HTTP a dotted bucket can be virtual-hosted";
    auto params = endpoint.params;
    params.host = endpoint.server.vhost_domain;
    params.addressing = s3::addressing_style::virtual_hosted;
    params.resolve = {{params.host, "127.0.0.1"}};
    s3::client c(ctx.get_executor(), params);
    const std::string bucket = "ff.dotted." + std::to_string(::getpid());
    run([&]() -> asio::awaitable<void> {
        co_await c.create_bucket(bucket);
        const std::string key = "k", body = "dots";
        co_await c.put_object(bucket, key, body);
        EXPECT_EQ(co_await c.get_object(bucket, key), body);
        co_await c.delete_object(bucket, key);
    }());
}

TEST_F(S3Client, KeyWithDoubleSlashRoundTrips) {
    auto cp = make_client();
    auto& c = *cp;
    const std::string key = prefix + "double//slash";
    try {
        run(c.put_object(endpoint.bucket, key, "x"));
    } catch (const functionfuse::s3_error& e) {
        // s3rver 4.0.4 routes requests with koa and answers a bare 404 (no S3 error document)
        // for paths with an empty segment; boto3 gets the same answer. Real S3 and MinIO
        // accept such keys; our encoding keeps the "//" verbatim (see sigv4 tests).
        if (e.http_status() == 404 && e.message().empty()) {
            GTEST_SKIP() << "s3rver cannot store keys with '//': " << e.what();
        }
        throw;
    }
    EXPECT_EQ(run(c.get_object(endpoint.bucket, key)), "x");
    auto listed = run(c.list_objects_v2(endpoint.bucket, prefix));
    ASSERT_EQ(listed.objects.size(), 1u);
    EXPECT_EQ(listed.objects[0].key, key);
}
