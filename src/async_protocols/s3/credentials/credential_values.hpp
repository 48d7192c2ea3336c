#pragma once
// Where credentials enter from outside (a JSON answer, a process's output, an STS document, a
// token file), they are checked here: present, of sane size, free of control bytes (they go
// into HTTP headers), with a parseable expiration. Errors name the source, never a value.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// Parses an ISO 8601 UTC time as AWS writes it: "2026-12-03T10:30:00Z", with optional
/// fractional seconds and "Z" or "+00:00". nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

/// Formats a time as "2026-12-03T10:30:00Z" (for messages and tests).
std::string format_iso8601(std::chrono::system_clock::time_point t);

/// Why a credentials document is refused (thrown by the parsers below as the caller's error
/// type; the text names the field, never its value).
struct bad_credentials {
    std::string reason;
};

/// Checks one value: non-empty (unless `optional`), at most 4096 bytes (a session token can be
/// long; anything larger is not a credential), no control bytes. Throws `bad_credentials`
/// naming `field`.
void check_credential_value(std::string_view value, std::string_view field, bool optional);

/// Parses the JSON credentials document of the container endpoint and IMDS ("AccessKeyId",
/// "SecretAccessKey", "Token", "Expiration") or of a credential_process ("Version": 1,
/// "SessionToken" instead of "Token"). `token_field` names the token member. Expiration is
/// required when `require_expiration`. Throws `bad_credentials`.
timed_credentials parse_credentials_json(std::string_view json, std::string_view token_field,
                                         bool require_expiration);

/// Replaces every occurrence of each non-empty `secret` in `text` with "<redacted>" (for a
/// server's message that may echo what it was sent).
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace functionfuse::s3

namespace functionfuse::s3 {

/// The error of a credentials endpoint (IMDS, container, STS) that failed or answered
/// nonsense: an `s3_error` with code `code` (e.g. "CredentialsEndpointError"), a message that
/// starts with the provider's name, and the HTTP status (0: no answer).
[[noreturn]] void throw_endpoint_error(std::string_view provider, const std::string& message,
                                       int http_status, std::string_view code);

}  // namespace functionfuse::s3
