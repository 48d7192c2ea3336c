// Design: error bodies are parsed with a real XML parser (Boost.PropertyTree over RapidXML),
// not by searching for tags, so entities and CDATA decode correctly. Only Code, Message and
// RequestId are kept: S3 and s3rver echo StringToSign/CanonicalRequest and the access key id
// in SignatureDoesNotMatch bodies, none of which belongs in an exception that may be logged.
#include "async_protocols/s3/core/error_response.hpp"

#include <sstream>

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
    return s3_error(std::move(f.code), std::move(f.message), std::move(f.request_id), http_status,
                    std::move(key));
}

}  // namespace functionfuse::s3
