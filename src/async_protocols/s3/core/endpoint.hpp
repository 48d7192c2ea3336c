#pragma once
// Where requests go: an S3 endpoint parsed from a URL (scheme, host, port) and the host,
// Host header and encoded path of a bucket/key under path-style or virtual-hosted addressing.
// Pure functions; the client turns the result into connections and request targets.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "async_protocols/s3/core/client_params.hpp"  // addressing_style

namespace functionfuse::s3 {

/// A parsed S3 endpoint.
struct endpoint {
    bool use_tls = true;     ///< https (true) or http
    std::string host;        ///< name or IP literal to connect to; IPv6 without brackets
    std::uint16_t port = 0;  ///< the effective port (443/80 when the URL gave none)

    /// True when `port` is the scheme's default, so Host carries no port.
    bool default_port() const noexcept { return port == (use_tls ? 443 : 80); }
    /// The Host header value: `host`, or `host:port` for a non-default port (IPv6 in brackets).
    std::string host_header() const;
    /// `scheme://host[:port]` (no trailing slash).
    std::string origin() const;
};

/// Parses an endpoint URL such as `http://127.0.0.1:4568` or `https://s3.example.com`
/// (Boost.URL). The scheme must be http or https; a path other than "/", user info, a query
/// or a fragment is rejected. Throws `config_error` with field `endpoint_url`.
endpoint parse_endpoint_url(std::string_view url);

/// The AWS endpoint of a region: https://s3.<region>.amazonaws.com (".com.cn" for cn-*).
/// Throws `config_error` (field `region`) for an empty or malformed region name.
endpoint aws_endpoint(std::string_view region);

/// True when `bucket` can be a DNS label prefix: 3-63 characters of a-z 0-9 '-' '.', starting
/// and ending with a letter or digit, no "..", not an IPv4 address, and (with TLS) no '.'
/// at all, since a dotted bucket name does not match the wildcard certificate.
bool is_virtual_hostable_bucket(std::string_view bucket, bool use_tls) noexcept;

/// True for AWS's own S3 endpoints (`*.amazonaws.com`, `*.amazonaws.com.cn`), where
/// `addressing_style::automatic` chooses virtual-hosted requests.
bool is_aws_host(std::string_view host) noexcept;

/// Checks `client_params::resolve`: every key a host name (letters, digits, '-', '.'; at most
/// 253 characters), every value an IPv4 or IPv6 literal. Throws `config_error` naming
/// `field` (e.g. "options.resolve").
void check_resolve_map(const std::map<std::string, std::string>& resolve, std::string_view field);

/// Where one request for `bucket`/`key` goes.
struct object_address {
    std::string host;             ///< to connect to (bucket.host when virtual-hosted)
    std::string host_header;      ///< Host header value (with a non-default port)
    std::string encoded_path;     ///< request path, URI-encoded once, never normalized
    bool virtual_hosted = false;  ///< the style actually used (see `address_object`)
};

/// Addresses `key` (raw, not encoded) in `bucket`. Path-style: `/<bucket>/<key>` (just
/// `/<bucket>` when the key is empty; `/` when the bucket is empty too). Virtual-hosted:
/// host `<bucket>.<host>` and path `/<key>`. `virtual_hosted` is used as asked unless it
/// cannot work: a bucket that `is_virtual_hostable_bucket` rejects (dots over TLS, non-DNS
/// names) or an endpoint that is an IP literal falls back to path-style, as the AWS SDKs do.
/// `automatic` is virtual-hosted only on `is_aws_host` endpoints, under the same conditions.
/// The result says which style was used.
object_address address_object(const endpoint& ep, addressing_style style, std::string_view bucket,
                              std::string_view key);

}  // namespace functionfuse::s3
