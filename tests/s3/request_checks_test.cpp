// CR/LF/NUL injection: a request part holding a control byte is refused before any byte is
// sent, on both transports (Beast and libcurl), and the error never quotes the value.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/curl/curl_s3_client.hpp"
#include "functionfuse/error.hpp"
#include "run_awaitable.hpp"

namespace ff = functionfuse;
namespace s3 = functionfuse::s3;

namespace {

const std::string injected = "us-east-1\r\nX-Evil: 1";

/// A listening socket on 127.0.0.1 that nobody answers on: a request sent to it would show up
/// as a pending connection.
class silent_listener {
  public:
    silent_listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd_, 16) != 0)
            throw std::runtime_error("cannot listen");
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~silent_listener() { ::close(fd_); }
    std::uint16_t port() const { return port_; }
    /// True if a client connected (a pending connection is waiting to be accepted).
    bool contacted() const {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

s3::client_params params_for(const silent_listener& server) {
    s3::client_params p;
    p.host = "127.0.0.1";
    p.port = server.port();
    p.use_tls = false;
    p.creds = {"AK", "SK", ""};
    // Should a request go out after all, fail fast with an io_error rather than hang.
    p.request_timeout = std::chrono::milliseconds(500);
    p.retry.max_attempts = 1;
    return p;
}

template <class F>
std::string config_error_of(F&& f) {
    try {
        f();
    } catch (const ff::config_error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a config_error: " << e.what();
        return {};
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(RequestChecks, ControlBytesInHeaderValuesAreRefusedWithoutQuotingThem) {
    for (const std::string& bad : {std::string("a\r\nb"), std::string("a\nb"),
                                   std::string("a\0b", 3), std::string("a\x7f")}) {
        const std::string what = config_error_of([&] { s3::check_header_value("x", bad); });
        EXPECT_EQ(what.find(bad), std::string::npos) << what;
    }
    EXPECT_NO_THROW(s3::check_header_value("x", "text/plain; charset=utf-8\twith tab"));
}

TEST(RequestChecks, HostAndRegionAreHeldToTheirAlphabets) {
    EXPECT_NO_THROW(s3::check_host("s3.us-east-1.amazonaws.com"));
    EXPECT_NO_THROW(s3::check_host("[::1]:4568"));
    config_error_of([] { s3::check_host("a.example\r\nX-Evil: 1"); });
    config_error_of([] { s3::check_host("a b"); });
    EXPECT_NO_THROW(s3::check_region("us-east-1"));
    config_error_of([] { s3::check_region(injected); });
    config_error_of([] { s3::check_region("eu/west"); });
    config_error_of([] { s3::check_region("eu:west"); });
}

TEST(RequestChecks, BeastClientRefusesAnInjectedRegionOrTokenAndSendsNothing) {
    silent_listener server;
    boost::asio::io_context ctx;
    auto region = params_for(server);
    region.region = injected;
    std::string what = config_error_of([&] { s3::client c(ctx.get_executor(), region); });
    EXPECT_EQ(what.find("X-Evil"), std::string::npos) << what;
    auto token = params_for(server);
    token.creds.session_token = "tok\r\nX-Evil: 1";
    what = config_error_of([&] { s3::client c(ctx.get_executor(), token); });
    EXPECT_EQ(what.find("X-Evil"), std::string::npos) << what;
    EXPECT_FALSE(server.contacted());
}

TEST(RequestChecks, BeastClientRefusesAnInjectedHeaderValueAndSendsNothing) {
    silent_listener server;
    boost::asio::io_context ctx;
    s3::client c(ctx.get_executor(), params_for(server));
    const std::string bucket = "bucket", key = "key", body = "body";
    const s3::put_options options{"text/plain\r\nX-Evil: 1"};
    const std::string what =
        config_error_of([&] { ff_test::run_on(ctx, c.put_object(bucket, key, body, options)); });
    EXPECT_NE(what.find("content-type"), std::string::npos) << what;
    EXPECT_EQ(what.find("X-Evil"), std::string::npos) << what;
    EXPECT_FALSE(server.contacted());
}

TEST(RequestChecks, CurlClientRefusesAnInjectedRegionKeyOrTokenAndSendsNothing) {
    silent_listener server;
    auto region = params_for(server);
    region.region = injected;
    config_error_of([&] { ff::detail::curl_s3_client c(region); });
    auto key = params_for(server);
    key.creds.access_key_id = "AK\r\nX-Evil: 1";
    config_error_of([&] { ff::detail::curl_s3_client c(key); });
    auto token = params_for(server);
    token.creds.session_token = std::string("tok\0en", 6);
    const std::string what = config_error_of([&] { ff::detail::curl_s3_client c(token); });
    EXPECT_NE(what.find("NUL"), std::string::npos) << what;
    auto host = params_for(server);
    host.host = "127.0.0.1\r\nX-Evil: 1";
    config_error_of([&] { ff::detail::curl_s3_client c(host); });
    EXPECT_FALSE(server.contacted());
}

TEST(RequestChecks, DotSegmentsNeverReachTheRequestPath) {
    for (const char* bad : {"/b/../x", "/b/./x", "/..", "/b/x/.."})
        config_error_of([&] { s3::check_raw_path(bad); });
    for (const char* ok : {"/", "/b", "/b/x", "/b/a..b/.x/..."})
        EXPECT_NO_THROW(s3::check_raw_path(ok)) << ok;
}

TEST(RequestChecks, BothClientsRefuseADotSegmentKeyAndSendNothing) {
    silent_listener server;
    boost::asio::io_context ctx;
    s3::client c(ctx.get_executor(), params_for(server));
    const std::string bucket = "bucket", key = "p/../../etc/passwd";
    config_error_of([&] { ff_test::run_on(ctx, c.get_object(bucket, key)); });
    ff::detail::curl_s3_client curl(params_for(server));
    config_error_of([&] { curl.object_exists(bucket, key); });
    EXPECT_FALSE(server.contacted());
}

}  // namespace
