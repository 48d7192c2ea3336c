// The S3 client through tests/tools/fault_proxy in front of s3rver: injected 503 SlowDown,
// mid-body connection resets and stalls. Runs once over HTTP (the proxy speaks plain HTTP).
#include <cstdlib>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "fault_proxy_process.hpp"
#include "for_each_concurrently.hpp"
#include "functionfuse/error.hpp"
#include "s3_server_test.hpp"

namespace s3 = functionfuse::s3;
namespace asio = boost::asio;

namespace {

using ff_test::fault_proxy_process;

std::string body_for(std::size_t i) {
    std::mt19937 rng(static_cast<unsigned>(i));
    std::string s(4096 + (i % 7) * 1000, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng());
    return s;
}

using ff_test::for_each_concurrently;

namespace http = boost::beast::http;

/// A SigV4-signed request to `host_header` for path-style `/bucket/key`, carrying `body`.
/// `Expect` is left unsigned, as botocore does (proxies may drop it).
http::request<http::string_body> signed_request(const ff_test::s3_endpoint& e,
                                                const std::string& host_header, http::verb verb,
                                                const std::string& key, std::string body) {
    const std::string path = s3::uri_encode_path("/" + e.bucket + "/" + key);
    s3::request_to_sign to_sign;
    to_sign.method = std::string(http::to_string(verb));
    to_sign.encoded_path = path;
    to_sign.headers = {{"host", host_header}};
    to_sign.payload_hash = s3::sha256_hex(body);
    s3::signing_params scope;
    scope.region = e.params.region;
    scope.time = std::chrono::system_clock::now();
    const auto sig = s3::sign_request(to_sign, e.params.creds, scope);
    http::request<http::string_body> req{verb, path, 11};
    req.set(http::field::host, host_header);
    for (const auto& [name, value] : sig.headers)
        req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

class S3Faults : public ff_test::s3_server_test {
  protected:
    void SetUp() override {
        s3_server_test::SetUp();
        if (!IsSkipped() && endpoint.params.use_tls)
            GTEST_SKIP() << "the fault proxy speaks plain HTTP";
    }
};

}  // namespace

TEST_F(S3Faults, FiveHundredPutsThenGetsSurviveSlowDownsAndResets) {
    fault_proxy_process proxy(endpoint.params.port,
                              "--slowdown-rate 0.2 --reset-rate 0.1 --seed 42");
    auto params = endpoint.params;
    params.port = proxy.port();
    params.max_connections = 16;
    params.request_timeout = std::chrono::seconds(30);
    params.retry.base_delay = std::chrono::milliseconds(5);
    params.retry.max_delay = std::chrono::milliseconds(200);
    params.retry.max_attempts = 12;  // 0.3^12: a request failing every attempt is ~5e-7
    s3::client c(ctx.get_executor(), params);
    // FF_FAULT_OPS raises the count for the figures in docs/reliability.md
    // (scripts/fault_figures.sh); 500 keeps the suite quick.
    const char* ops = std::getenv("FF_FAULT_OPS");
    const std::size_t count = ops ? std::strtoul(ops, nullptr, 10) : 500;
    run([&]() -> asio::awaitable<void> {
        co_await for_each_concurrently(count, 16, [&](std::size_t i) -> asio::awaitable<void> {
            co_await c.put_object(endpoint.bucket, prefix + std::to_string(i), body_for(i));
        });
        std::size_t exact = 0;
        co_await for_each_concurrently(count, 16, [&](std::size_t i) -> asio::awaitable<void> {
            const std::string got =
                co_await c.get_object(endpoint.bucket, prefix + std::to_string(i));
            if (got == body_for(i))
                ++exact;
            else
                ADD_FAILURE() << "object " << i << " differs (" << got.size() << " bytes)";
        });
        EXPECT_EQ(exact, count);
    }());
    // Clean up directly against s3rver.
    s3::client direct(ctx.get_executor(), endpoint.params);
    run([&]() -> asio::awaitable<void> {
        auto listed = co_await direct.list_objects_v2(endpoint.bucket, prefix);
        EXPECT_EQ(listed.objects.size(), count);
        std::vector<std::string> keys;
        for (auto& o : listed.objects)
            keys.push_back(o.key);
        co_await direct.delete_objects(endpoint.bucket, keys);
    }());
}

TEST_F(S3Faults, PersistentSlowDownEndsAsS3ErrorAfterTheLastAttempt) {
    fault_proxy_process proxy(endpoint.params.port, "--slowdown-rate 1");
    auto params = endpoint.params;
    params.port = proxy.port();
    params.retry.max_attempts = 3;
    params.retry.base_delay = std::chrono::milliseconds(1);
    s3::client c(ctx.get_executor(), params);
    try {
        run(c.put_object(endpoint.bucket, prefix + "k", "v"));
        FAIL() << "expected s3_error";
    } catch (const functionfuse::s3_error& e) {
        EXPECT_EQ(e.code(), "SlowDown");
        EXPECT_EQ(e.http_status(), 503);
        EXPECT_EQ(e.request_id(), "fault-proxy");
    }
}

TEST_F(S3Faults, StalledServerFailsByTheRequestTimeoutInsteadOfHanging) {
    fault_proxy_process proxy(endpoint.params.port, "--stall-rate 1");
    auto params = endpoint.params;
    params.port = proxy.port();
    params.request_timeout = std::chrono::milliseconds(500);
    params.retry.max_attempts = 2;
    params.retry.base_delay = std::chrono::milliseconds(1);
    s3::client c(ctx.get_executor(), params);
    try {
        run(c.put_object(endpoint.bucket, prefix + "k", "v"));
        FAIL() << "expected io_error";
    } catch (const functionfuse::io_error& e) {
        EXPECT_NE(std::string(e.what()).find("2 attempt"), std::string::npos) << e.what();
    }
    EXPECT_THROW(run(c.get_object(endpoint.bucket, prefix + "k")), functionfuse::io_error);
}

TEST_F(S3Faults, AddedLatencyStillCompletes) {
    fault_proxy_process proxy(endpoint.params.port, "--latency-ms 20");
    auto params = endpoint.params;
    params.port = proxy.port();
    s3::client c(ctx.get_executor(), params);
    run([&]() -> asio::awaitable<void> {
        co_await c.put_object(endpoint.bucket, prefix + "k", "value");
        EXPECT_EQ(co_await c.get_object(endpoint.bucket, prefix + "k"), "value");
        co_await c.delete_object(endpoint.bucket, prefix + "k");
    }());
}

// A client sending `Expect: 100-continue` (boto3 does on every PutObject) holds its body back
// until it hears `100 Continue`. This one is strict (it never sends the body unasked) and then
// reuses the connection, so a proxy that waits for the body, or that passes the upstream's
// interim 100 off as the answer, fails it. Every step has a deadline: a hang fails instead.
TEST_F(S3Faults, ExpectContinuePutGetsTheInterimContinueThenItsAnswer) {
    fault_proxy_process proxy(endpoint.params.port, "--latency-ms 20");
    const std::string host_header = endpoint.params.host + ":" + std::to_string(proxy.port());
    const std::string key = prefix + "k";
    const std::string body = body_for(3);
    run([&]() -> asio::awaitable<void> {
        boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
        auto deadline = [&] { stream.expires_after(std::chrono::seconds(20)); };
        asio::ip::tcp::resolver resolver(stream.get_executor());
        deadline();
        co_await stream.async_connect(
            co_await resolver.async_resolve(endpoint.params.host, std::to_string(proxy.port()),
                                            asio::use_awaitable),
            asio::use_awaitable);
        boost::beast::flat_buffer buf;

        auto put = signed_request(endpoint, host_header, http::verb::put, key, body);
        put.set(http::field::expect, "100-continue");
        http::request_serializer<http::string_body> put_writer(put);
        deadline();
        co_await http::async_write_header(stream, put_writer, asio::use_awaitable);
        http::response<http::empty_body> interim;
        deadline();
        co_await http::async_read(stream, buf, interim, asio::use_awaitable);
        EXPECT_EQ(interim.result(), http::status::continue_);
        deadline();
        co_await http::async_write(stream, put_writer, asio::use_awaitable);
        http::response<http::string_body> put_answer;
        deadline();
        co_await http::async_read(stream, buf, put_answer, asio::use_awaitable);
        EXPECT_EQ(put_answer.result(), http::status::ok) << put_answer;

        // The same connection must still be in step: the GET gets its own answer.
        auto get = signed_request(endpoint, host_header, http::verb::get, key, "");
        deadline();
        co_await http::async_write(stream, get, asio::use_awaitable);
        http::response<http::string_body> get_answer;
        deadline();
        co_await http::async_read(stream, buf, get_answer, asio::use_awaitable);
        EXPECT_EQ(get_answer.result(), http::status::ok);
        EXPECT_TRUE(get_answer.body() == body) << get_answer.body().size() << " bytes";
    }());
    s3::client direct(ctx.get_executor(), endpoint.params);
    run(direct.delete_object(endpoint.bucket, key));
}
