#pragma once
// The S3 client's internals shared by its .cpp files: how one request is described, signed,
// sent through the pool and retried. Internal header (Beast types).

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
#include "async_protocols/s3/core/retry_policy.hpp"

namespace functionfuse::s3 {

/// One S3 request before signing.
struct request_spec {
    http::verb method = http::verb::get;
    std::string bucket;
    std::string key;  ///< raw; empty for bucket-level requests
    /// Raw query parameters (encoded on the wire and for signing); "" value = value-less.
    std::vector<std::pair<std::string, std::string>> query;
    /// Extra headers, all signed (content-md5, range, content-type).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;         ///< viewed, never copied
    bool head = false;             ///< no response body
    bool allow_not_found = false;  ///< return a 404 answer instead of throwing
};

struct client::impl {
    impl(boost::asio::any_io_executor io, client_params p);

    /// Sends `spec`, retrying per the policy; returns a 2xx answer (or 404 if allowed).
    /// Throws s3_error for an error answer, io_error for a transport failure.
    boost::asio::awaitable<http_response> execute(const request_spec& spec);

    client_params params;
    retry_policy retry;
    endpoint server;  ///< host, port and scheme of `params`, for `address_object`
    std::unique_ptr<connection_pool> pool;

  private:
    /// One attempt (plus the one transparent retry of a stale reused connection).
    boost::asio::awaitable<http_response> attempt(const request_spec& spec,
                                                  const std::string& payload_hash,
                                                  const credentials& creds);
    http_request build_request(const request_spec& spec, const object_address& address,
                               const std::string& payload_hash, const credentials& creds) const;
    /// The credentials to sign the next attempt with: `params.creds`, or the cache's current
    /// set (waiting for a refresh off the I/O thread when needed).
    boost::asio::awaitable<credentials> signing_credentials();
    /// Throws `config_error` (core/request_checks) for a request that must not be sent.
    void check(const request_spec& spec) const;
    std::string describe(const request_spec& spec) const;
};

}  // namespace functionfuse::s3
