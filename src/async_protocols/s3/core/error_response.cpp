// Design: error bodies are parsed with a real XML parser (Boost.PropertyTree over RapidXML),
// not by searching for tags, so entities and CDATA decode correctly. Only Code, Message and
// RequestId are kept: S3 and s3rver echo StringToSign/CanonicalRequest and the access key id
// in SignatureDoesNotMatch bodies, none of which belongs in an exception that may be logged.
#include "async_protocols/s3/core/error_response.hpp"

#include <sstream>
#include <utility>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

namespace functionfuse::s3 {

namespace {
std::string status_code_name(int status) {
    switch (status) {
        case 301:
            return "PermanentRedirect";
        case 304:
            return "NotModified";
        case 400:
            return "BadRequest";
        case 403:
            return "Forbidden";
        case 404:
            return "NotFound";
        case 409:
            return "Conflict";
        case 412:
            return "PreconditionFailed";
        case 416:
            return "InvalidRange";
        case 500:
            return "InternalError";
        case 503:
            return "ServiceUnavailable";
        default:
            return "HTTP" + std::to_string(status);
    }
}
// What the common codes mean, for servers that send an empty <Message> (Ceph RGW does):
// the error text then still says something a user can act on.
std::string_view code_meaning(std::string_view code) {
    static constexpr std::pair<std::string_view, std::string_view> meanings[] = {
        {"AccessDenied", "Access Denied"},
        {"BucketAlreadyExists", "The requested bucket name is not available"},
        {"BucketAlreadyOwnedByYou", "The bucket already exists and is yours"},
        {"BucketNotEmpty", "The bucket you tried to delete is not empty"},
        {"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"},
        {"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"},
        {"ExpiredToken", "The provided token has expired"},
        {"InternalError", "The server encountered an internal error"},
        {"InvalidAccessKeyId", "The access key id does not exist in the server's records"},
        {"InvalidArgument", "Invalid argument"},
        {"InvalidBucketName", "The specified bucket is not valid"},
        {"InvalidPart", "One or more of the specified parts could not be found"},
        {"InvalidPartOrder", "The list of parts was not in ascending order"},
        {"InvalidRange", "The requested range cannot be satisfied"},
        {"InvalidRequest", "Invalid request"},
        {"InvalidToken", "The provided token is malformed or otherwise invalid"},
        {"NoSuchBucket", "The specified bucket does not exist"},
        {"NoSuchKey", "The specified key does not exist"},
        {"NoSuchUpload", "The specified multipart upload does not exist"},
        {"PreconditionFailed", "A precondition does not hold"},
        {"RequestTimeTooSkewed",
         "The difference between the request time and the server's time is too large"},
        {"ServiceUnavailable", "The service is unavailable; reduce the request rate"},
        {"SignatureDoesNotMatch",
         "The request signature does not match the one the server calculated: check the "
         "secret access key and signing method"},
        {"SlowDown", "Please reduce your request rate"},
    };
    for (const auto& [c, meaning] : meanings) {
        if (c == code)
            return meaning;
    }
    return {};
}

}  // namespace

error_fields parse_error_body(std::string_view body) {
    error_fields f;
    if (body.empty())
        return f;
    namespace pt = boost::property_tree;
    try {
        std::istringstream in{std::string(body)};
        pt::ptree doc;
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
        auto error = doc.get_child_optional("Error");
        if (!error)
            return f;
        f.code = error->get<std::string>("Code", "");
        f.message = error->get<std::string>("Message", "");
        f.request_id = error->get<std::string>("RequestId", "");
    } catch (const pt::ptree_error&) {
        // Not XML (a proxy's HTML page, a truncated body): the status alone must do.
    }
    return f;
}

s3_error make_s3_error(std::string_view body, int http_status, std::string key,
                       std::string_view request_id_header) {
    error_fields f = parse_error_body(body);
    if (f.code.empty())
        f.code = status_code_name(http_status);
    if (f.request_id.empty())
        f.request_id = std::string(request_id_header);
    if (f.message.empty())
        f.message = std::string(code_meaning(f.code));
    return s3_error(std::move(f.code), std::move(f.message), std::move(f.request_id), http_status,
                    std::move(key));
}

}  // namespace functionfuse::s3
