#pragma once
// The S3 kinds of the conformance suite (async over Beast, sync over libcurl), each against
// the S3 server a ctest fixture started (tests/support/s3_server.hpp). Each store is a fresh key
// prefix `conf/<scratch dir name>` in the fixture's bucket; raw access goes through the libcurl
// client directly.

#include <vector>

#include "s3_store_options.hpp"
#include "storage_under_test.hpp"

namespace ff_test {

/// "s3_async" and "s3_sync".
std::vector<kind_under_test> s3_kinds();

}  // namespace ff_test
