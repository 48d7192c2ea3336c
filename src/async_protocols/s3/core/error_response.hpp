#pragma once
// Turns an S3 error answer (status + XML body) into `functionfuse::s3_error`.

#include <string>
#include <string_view>

#include "functionfuse/error.hpp"

namespace functionfuse::s3 {

/// The fields of an S3 `<Error>` document that may be shown to a user. Anything else the
/// server echoes (string to sign, canonical request, access key id) is dropped.
struct error_fields {
    std::string code;
    std::string message;
    std::string request_id;
};

/// Parses an `<Error>` XML body with Boost.PropertyTree. A body that is empty or not an
/// `<Error>` document yields empty fields (HEAD answers have no body at all).
error_fields parse_error_body(std::string_view body);

/// The exception for an error answer: XML fields, falling back to a code derived from the
/// status (e.g. 404 -> NotFound), to the `x-amz-request-id` header's value, and for an empty
/// or missing `<Message>` (Ceph RGW sends `<Message></Message>`) to the meaning of a common code.
s3_error make_s3_error(std::string_view body, int http_status, std::string key,
                       std::string_view request_id_header);

}  // namespace functionfuse::s3
