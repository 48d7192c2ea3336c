#pragma once
// One keep-alive HTTP/1.1 connection to an S3 endpoint, plain TCP or TLS. Internal header:
// it exposes Beast types, so only the S3 client's .cpp files include it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "async_protocols/s3/beast/response_reader.hpp"

namespace functionfuse::s3 {

namespace http = boost::beast::http;

/// A request whose body is a view of the caller's bytes (never copied).
using http_request = http::request<http::span_body<const char>>;
// http_response, the answer with its body in a string, is defined in response_reader.hpp.

/// A failed exchange, with what the retry logic needs to know about it.
struct exchange_failure {
    boost::system::error_code error;
    /// Nothing of the answer arrived: on a reused connection this means the server had
    /// closed it while idle, and the request is safe to send again on a fresh one.
    bool nothing_received = false;
};

/// One connection. Not thread-safe: used by one request at a time (the pool guarantees it).
/// Every operation takes an absolute deadline; past it, the operation fails with
/// `boost::beast::error::timeout`.
class connection {
  public:
    using clock = std::chrono::steady_clock;

    /// `tls` null means plain TCP; otherwise the context holds verification settings.
    connection(boost::asio::any_io_executor executor,
               std::shared_ptr<boost::asio::ssl::context> tls);

    /// Resolves, connects and (for TLS) handshakes with SNI and host-name verification
    /// (when the context verifies peers). A non-empty `address` (an IP literal) is connected
    /// to instead of resolving `host`; SNI and verification still use `host`.
    /// Throws boost::system::system_error.
    boost::asio::awaitable<void> open(const std::string& host, std::string_view address,
                                      std::uint16_t port, clock::time_point deadline);

    /// Sends `request` and reads the answer (no body expected when `head_request`).
    /// On failure throws `exchange_error`.
    /// Cancellation (terminal): the write and a GET's or HEAD's read stop at once. The answer
    /// to any other request that went out whole is still awaited for up to `grace` after the
    /// cancellation (so cleanup sees what the server created); past it the connection is
    /// closed (never reused) and this throws `operation_aborted`.
    boost::asio::awaitable<http_response> exchange(http_request& request, bool head_request,
                                                   clock::time_point deadline,
                                                   std::chrono::milliseconds grace);

    /// False once a response said "Connection: close" or an exchange failed.
    bool reusable() const noexcept { return reusable_; }

  private:
    boost::beast::tcp_stream& tcp();

    boost::asio::any_io_executor executor_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    std::unique_ptr<boost::beast::tcp_stream> plain_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure_;
    boost::beast::flat_buffer buffer_;
    bool reusable_ = false;
};

/// Thrown by `connection::exchange`.
class exchange_error : public boost::system::system_error {
  public:
    exchange_error(exchange_failure f)
        : boost::system::system_error(f.error), nothing_received(f.nothing_received) {}
    bool nothing_received;
};

}  // namespace functionfuse::s3
