#pragma once
/// \file
/// One entry point per parser of untrusted bytes, shared by the libFuzzer targets in this
/// folder and by the regression test (tests/fuzz_regressions), so that a crash input found by
/// a fuzzer replays through exactly the same code in the normal test suite.
///
/// Each entry point feeds `data` to its parser(s). A `functionfuse::error` is the expected
/// answer to bad input and is swallowed; anything else (another exception, a failed
/// invariant, a sanitizer report) escapes, which crashes the fuzzer and fails the test.
/// Invariants checked on success call `std::abort()` with a message on stderr.

#include <string_view>
#include <vector>

namespace functionfuse::fuzz {

/// `pickle::loads` on the bytes; on success, `dumps` must take the value (no error) and its
/// bytes must load and dump again to the same bytes (writer and reader agree on every value).
void pickle_loads(std::string_view data);

/// `zarr::parse_zarray` and `zarr::parse_zgroup` on the bytes; a parsed `.zarray` must survive
/// `to_json` and a second parse unchanged (doubles: to one ulp, see the .cpp), and its fill
/// value must convert.
void zarr_metadata(std::string_view data);

/// The same bytes to every S3 XML reader: ListObjectsV2 page (directly and through the
/// `list_objects_pager`), multipart initiate/complete answers, DeleteObjects result, and the
/// `<Error>` reader (`parse_error_body`, `make_s3_error` for a few statuses).
void s3_xml(std::string_view data);

/// The bytes parsed as JSON (bytes that are not JSON are skipped: Boost.JSON is not ours)
/// and handed as `options` to the "file" kind's and the "S3" kind's option readers, with an
/// empty environment.
void storage_config(std::string_view data);

/// `s3::parse_ini`, the AWS shared credentials/config file parser.
void aws_ini(std::string_view data);

/// `glob_match(pattern, name)`, the input split at its first NUL byte (no NUL: the whole
/// input is both). A name without `*`, `?`, `[` must match itself, and `*` matches anything.
void glob(std::string_view data);

/// The bytes as an HTTP/1.1 answer read by Beast's `response_parser<string_body>` set up as
/// the async S3 client's `connection::exchange` sets it up (no body limit; for HEAD, skip),
/// then interpreted as `client::impl::execute` does (status, `<Error>` body, request id).
void http_response(std::string_view data);

/// A named entry point, for drivers that pick one by name.
struct entry_point {
    std::string_view name;  ///< also the folder name of its corpus and regression inputs
    void (*run)(std::string_view data);
};

/// Every entry point above, in declaration order.
const std::vector<entry_point>& entry_points();

}  // namespace functionfuse::fuzz
