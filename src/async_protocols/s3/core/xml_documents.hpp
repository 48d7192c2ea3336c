#pragma once
// The XML documents the S3 client reads and writes besides errors: ListObjectsV2 pages,
// multipart initiate/complete, DeleteObjects request and result.

#include <string>
#include <string_view>
#include <vector>

#include "async_protocols/s3/core/object_types.hpp"

namespace functionfuse::s3 {

/// Parses a ListBucketResult (ListObjectsV2) page. Keys and prefixes are URL-decoded when the
/// page says `<EncodingType>url</EncodingType>`. Throws `functionfuse::error` on bad XML.
list_page parse_list_page(std::string_view xml);

/// Parses a ListMultipartUploadsResult page (keys URL-decoded when the page says
/// `<EncodingType>url</EncodingType>`). Throws `functionfuse::error` on bad XML.
multipart_upload_page parse_multipart_uploads_page(std::string_view xml);

/// The UploadId of an InitiateMultipartUploadResult. Throws `functionfuse::error` if absent.
std::string parse_upload_id(std::string_view xml);

/// Body of CompleteMultipartUpload listing `parts` (in ascending part number).
std::string complete_multipart_body(const std::vector<completed_part>& parts);

/// True if a 200 answer to CompleteMultipartUpload is in fact an `<Error>` (S3 may report a
/// failure after it has started sending 200).
bool is_error_document(std::string_view xml);

/// The ETag of a CompleteMultipartUploadResult ("" if absent or not that document).
std::string parse_complete_etag(std::string_view xml);

/// Body of a quiet DeleteObjects request for `keys` (at most 1,000).
std::string delete_objects_body(const std::vector<std::string>& keys);

/// The per-key failures in a DeleteResult.
std::vector<delete_failure> parse_delete_result(std::string_view xml);

/// Base64 of the MD5 of `data`, the Content-MD5 header DeleteObjects requires.
std::string content_md5(std::string_view data);

/// Escapes text for an XML element body (&, <, >, ", ' and control characters as references).
std::string xml_escape(std::string_view text);

}  // namespace functionfuse::s3
