#pragma once
// The last gate before bytes go on the wire. Both transports (Beast and libcurl) build their
// requests from the same parts: a Host, a raw path, raw query parameters, extra headers and
// the signing inputs (region, access key id, session token), whatever their source (config,
// environment, profile files, callers). A CR or LF in any of them would end a header line
// early and let the rest be read as a header of the attacker's choosing; a NUL truncates the
// C strings curl is handed; a "." or ".." path segment makes servers that normalize paths
// (s3rver writes files) step outside the bucket. So every request is checked here, and
// refused before any byte is sent. Pure functions; messages never quote a value (it may be
// a secret), only name the part and the offending byte.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

/// Throws `config_error` (field `what`) if `value` holds a control byte (below 0x20 except
/// horizontal tab, or 0x7F): CR, LF and NUL above all. `what` names the part, never `value`.
void check_header_value(std::string_view what, std::string_view value);

/// Throws `config_error` unless `host` (a Host header value, with an optional `:port`, an
/// IPv6 literal in brackets) consists of letters, digits and `-._:[]` only.
void check_host(std::string_view host);

/// Throws `config_error` unless `region` is a usable signing region: 1-64 letters, digits,
/// '-', '_' or '.' (it is part of the Authorization header and of curl's SigV4 provider
/// string, where '/' and ':' are separators).
void check_region(std::string_view region);

/// Throws `config_error` (field "key") if the raw (not yet encoded) request path has a "."
/// or ".." segment: servers that normalize paths would resolve it outside the bucket.
void check_raw_path(std::string_view raw_path);

/// Checks the signing inputs: the region (`check_region`) and the access key id and session
/// token (`check_header_value`: they are sent in `Authorization` and `x-amz-security-token`).
void check_signing_inputs(std::string_view region, const credentials& creds);

/// Everything of one request that varies: checked by `check_request`.
struct request_parts {
    std::string_view host_header;
    std::string_view raw_path;  ///< "/bucket/key" or "/key", before URI encoding
    /// Raw query parameters. They are percent-encoded on the wire, so only the names are
    /// held to the header-value rule (a caller's mistake rather than an injection).
    const std::vector<std::pair<std::string, std::string>>* query = nullptr;
    /// Extra header (name, value) pairs beyond Host and the signer's.
    const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
    std::string_view region;
    const credentials* creds = nullptr;
};

/// All of the above for one request. Throws `config_error` naming the part at fault.
void check_request(const request_parts& parts);

}  // namespace functionfuse::s3
