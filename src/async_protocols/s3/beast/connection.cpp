// Design: one Beast stream per connection, `tcp_stream` or `ssl_stream<tcp_stream>`. The
// request timeout is an absolute deadline applied to the underlying tcp_stream before every
// step (connect, handshake, write, read), so a stalled peer fails the step with
// beast::error::timeout instead of hanging; name resolution is bounded by a timer that
// cancels the resolver. TLS sets SNI (for names, not IP literals) and checks the certificate
// against the host with rfc2818-style host_name_verification, which also matches IP
// addresses in subjectAltName.
#include "async_protocols/s3/beast/connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "async_protocols/s3/beast/response_reader.hpp"

namespace functionfuse::s3 {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

connection::connection(asio::any_io_executor executor, std::shared_ptr<asio::ssl::context> tls)
    : executor_(std::move(executor)), tls_context_(std::move(tls)) {
    // Beast reads at most the buffer's free capacity per call (never less than 512 bytes), and
    // a parser moves body bytes out as they come, so an unreserved buffer stays small and a
    // 1 MiB GET took ~2,000 reads. 64 KiB is Beast's own per-read ceiling.
    buffer_.reserve(64 * 1024);
}

beast::tcp_stream& connection::tcp() {
    return secure_ ? beast::get_lowest_layer(*secure_) : *plain_;
}

asio::awaitable<void> connection::open(const std::string& host, std::string_view address,
                                       std::uint16_t port, clock::time_point deadline) {
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
    const auto literal = asio::ip::make_address(host, ec);
    const bool host_is_ip = !ec;
    if (host_is_ip) {
        endpoints.emplace_back(literal, port);
    } else if (!address.empty()) {
        // Pinned by `client_params::resolve` (checked to be an IP literal there).
        endpoints.emplace_back(asio::ip::make_address(address), port);
    } else {
        tcp::resolver resolver(executor_);
        asio::steady_timer guard(executor_, deadline);
        bool timed_out = false;
        guard.async_wait([&](boost::system::error_code wait_ec) {
            if (!wait_ec) {
                timed_out = true;
                resolver.cancel();
            }
        });
        ec = {};
        auto results = co_await resolver.async_resolve(
            host, std::to_string(port), asio::redirect_error(asio::use_awaitable, ec));
        guard.cancel();
        if (timed_out)
            throw boost::system::system_error(beast::error::timeout);
        if (ec)
            throw boost::system::system_error(ec);
        for (const auto& r : results)
            endpoints.push_back(r.endpoint());
    }

    if (tls_context_) {
        secure_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, *tls_context_);
    } else {
        plain_ = std::make_unique<beast::tcp_stream>(executor_);
    }
    tcp().expires_at(deadline);
    co_await tcp().async_connect(endpoints, asio::use_awaitable);
    tcp().socket().set_option(tcp::no_delay(true));

    if (secure_) {
        // SNI carries host names only (RFC 6066).
        if (!host_is_ip && !SSL_set_tlsext_host_name(secure_->native_handle(), host.c_str())) {
            throw boost::system::system_error(boost::system::error_code(
                static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
        }
        if (tls_context_->native_handle() &&
            (SSL_CTX_get_verify_mode(tls_context_->native_handle()) & SSL_VERIFY_PEER)) {
            secure_->set_verify_callback(asio::ssl::host_name_verification(host));
        }
        tcp().expires_at(deadline);
        co_await secure_->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    }
    reusable_ = true;
}

asio::awaitable<http_response> connection::exchange(http_request& request, bool head_request,
                                                    clock::time_point deadline,
                                                    std::chrono::milliseconds grace) {
    reusable_ = false;  // until the whole answer has been read
    boost::system::error_code ec;
    tcp().expires_at(deadline);
    if (secure_) {
        co_await http::async_write(*secure_, request,
                                   asio::redirect_error(asio::use_awaitable, ec));
    } else {
        co_await http::async_write(*plain_, request, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
        // A write failure means nothing was answered; whether the server saw the request does
        // not matter for S3's idempotent operations.
        throw exchange_error({ec, true});
    }

    response_parser parser;
    prepare_response_parser(parser, head_request);
    tcp().expires_at(deadline);
    // A request that changes the server (PUT, POST, DELETE) and went out whole is answered
    // even if the caller was cancelled meanwhile: the answer is awaited so that once the
    // caller's cleanup lists what exists, the server is done creating it, and the connection
    // stays reusable. Reads stay cancellable. The wait is bounded by a grace period counted
    // from the cancellation, not by the operation's deadline: a caller's own timer or Ctrl-C
    // needs the bound as much as operation_timeout_ms does, and the cancellation is the one
    // signal all of them share. Past the grace the stream is cancelled; the connection is then
    // not reusable (reusable_ stays false) and the pool closes it.
    const bool shield = request.method() != http::verb::get && request.method() != http::verb::head;
    bool throwing = true;
    asio::steady_timer grace_timer(executor_);
    asio::cancellation_slot outer;
    if (shield) {
        throwing = co_await asio::this_coro::throw_if_cancelled();
        co_await asio::this_coro::throw_if_cancelled(false);
        const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
        auto start_grace = [this, &grace_timer, grace] {
            grace_timer.expires_after(grace);
            grace_timer.async_wait([this](boost::system::error_code wait_ec) {
                if (!wait_ec)
                    tcp().cancel();
            });
        };
        if (state.cancelled() != asio::cancellation_type::none) {
            start_grace();
        } else {
            outer = state.slot();
            if (outer.is_connected())
                outer.assign([start_grace](asio::cancellation_type) { start_grace(); });
        }
    }
    auto unbound = asio::bind_cancellation_slot(asio::cancellation_slot(),
                                                asio::redirect_error(asio::use_awaitable, ec));
    auto bound = asio::redirect_error(asio::use_awaitable, ec);
    if (secure_) {
        if (shield)
            co_await http::async_read(*secure_, buffer_, parser, unbound);
        else
            co_await http::async_read(*secure_, buffer_, parser, bound);
    } else {
        if (shield)
            co_await http::async_read(*plain_, buffer_, parser, unbound);
        else
            co_await http::async_read(*plain_, buffer_, parser, bound);
    }
    if (shield) {
        if (outer.is_connected())
            outer.clear();
        grace_timer.cancel();
        co_await asio::this_coro::throw_if_cancelled(throwing);
    }
    if (ec)
        throw exchange_error({ec, !parser.got_some()});
    tcp().expires_never();
    http_response response = parser.release();
    reusable_ = response.keep_alive();
    co_return response;
}

}  // namespace functionfuse::s3
