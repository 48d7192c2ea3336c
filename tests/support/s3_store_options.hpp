#pragma once
// The S3 server a ctest fixture started (s3_server.hpp) as storage options: its endpoint, key
// pair and CA, and a key prefix in its bucket.
#include <optional>
#include <string>

#include "async_protocols/s3/s3_storage.hpp"
#include "s3_server.hpp"

namespace ff_test {

/// The fixture's endpoint and bucket as storage options with `prefix`; nullopt when no
/// fixture state is found (a test binary run outside ctest).
inline std::optional<functionfuse::s3_storage_options> s3_server_storage_options(
    const std::string& prefix) {
    const auto server = load_s3_server();
    if (!server)
        return std::nullopt;
    functionfuse::s3_storage_options o;
    o.location.bucket = server->bucket;
    o.location.prefix = prefix;
    o.client = server->client_params();
    return o;
}

}  // namespace ff_test
