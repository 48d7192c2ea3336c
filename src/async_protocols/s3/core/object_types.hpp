#pragma once
// Plain data the S3 client's operations return or take: object metadata, listings, ranges.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace functionfuse::s3 {

/// Metadata of one object (from HEAD, PUT or a listing).
struct object_info {
    std::string key;            ///< bucket-relative key, raw (not URI-encoded)
    std::uint64_t size = 0;     ///< bytes
    std::string etag;           ///< as the server sent it, quotes included
    std::string last_modified;  ///< as the server sent it (ISO 8601 in listings, RFC 1123 in HEAD)
    std::string content_type;   ///< HEAD only
};

/// The result of `list_objects_v2` over all pages.
struct list_result {
    std::vector<object_info> objects;          ///< in the server's (lexicographic) order
    std::vector<std::string> common_prefixes;  ///< with a delimiter: the "directories"
};

/// An inclusive byte range [first, last] of an object; `last` empty means "to the end".
struct byte_range {
    std::uint64_t first = 0;
    std::optional<std::uint64_t> last;
};

/// A key that DeleteObjects could not delete.
struct delete_failure {
    std::string key;
    std::string code;     ///< S3 error code, e.g. AccessDenied
    std::string message;  ///< server's message
};

/// One page of ListObjectsV2 as parsed from XML.
struct list_page {
    list_result content;
    bool truncated = false;
    std::string next_continuation_token;
};

/// One uploaded part of a multipart upload.
struct completed_part {
    int part_number = 0;
    std::string etag;
};

/// A multipart upload that was started and neither completed nor aborted.
struct multipart_upload_info {
    std::string key;        ///< raw (decoded) key
    std::string upload_id;  ///< as the server gave it
    std::string initiated;  ///< ISO 8601, as the server sent it
};

/// One page of ListMultipartUploads as parsed from XML.
struct multipart_upload_page {
    std::vector<multipart_upload_info> uploads;
    bool truncated = false;
    std::string next_key_marker;
    std::string next_upload_id_marker;
};

}  // namespace functionfuse::s3
