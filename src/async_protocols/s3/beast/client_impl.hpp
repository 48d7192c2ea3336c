#pragma once
// The S3 client's internals shared by its .cpp files: how one request (core/request.hpp) is
// signed, sent through the pool and retried. Internal header (Beast types).

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/beast/connection.hpp"
#include "async_protocols/s3/beast/connection_pool.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/request.hpp"
#include "async_protocols/s3/core/retry_policy.hpp"

namespace functionfuse::s3 {

struct client::impl {
    impl(boost::asio::any_io_executor io, client_params p);

    /// Sends `r` (built by core/request.hpp's builders), retrying per the policy; returns a
    /// 2xx answer (or 404 if allowed). Throws config_error for a request that must not be
    /// sent, s3_error for an error answer, io_error for a transport failure.
    boost::asio::awaitable<http_response> execute(const request& r);

    client_params params;
    retry_policy retry;
    endpoint server;  ///< host, port and scheme of `params`, for `address_object`
    std::unique_ptr<connection_pool> pool;

  private:
    /// One attempt (plus the one transparent retry of a stale reused connection).
    boost::asio::awaitable<http_response> attempt(const request& r, const prepared_request& p,
                                                  const credentials& creds);
    /// The Beast message of `r`, signed with `creds` (SigV4 by core/sigv4).
    http_request build_request(const request& r, const prepared_request& p,
                               const credentials& creds) const;
    /// The credentials to sign the next attempt with: `params.creds`, or the cache's current
    /// set (waiting for a refresh off the I/O thread when needed).
    boost::asio::awaitable<credentials> signing_credentials();
};

}  // namespace functionfuse::s3
