#pragma once
// The S3 kinds of the conformance suite (async over Beast, sync over libcurl), each against
// the S3 server a ctest fixture started (tests/support/s3_server.hpp). Each store is a fresh key
// prefix `conf/<scratch dir name>` in the fixture's bucket; raw access goes through the libcurl
// client directly.

#include <optional>
#include <vector>

#include "async_protocols/s3/s3_storage.hpp"
#include "s3_server.hpp"
#include "storage_under_test.hpp"

namespace ff_test {

/// The fixture's endpoint and bucket as storage options with `prefix`; nullopt when no
/// fixture state is found (a test binary run outside ctest).
std::optional<functionfuse::s3_storage_options> s3_server_storage_options(
    const std::string& prefix);

/// "s3_async" and "s3_sync".
std::vector<kind_under_test> s3_kinds();

}  // namespace ff_test
