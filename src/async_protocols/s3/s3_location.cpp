#include "async_protocols/s3/s3_location.hpp"

#include "functionfuse/error.hpp"
#include "storage/names.hpp"

namespace functionfuse::detail {

namespace {
/// The bucket and each prefix segment are held to the task-name rules: a "." or ".." segment
/// would be sent literally, and a server that resolves paths (s3rver stores files) would
/// write outside the bucket.
void check_segment(std::string_view segment, std::string_view what, const std::string& field) {
    try {
        validate_name(segment, what);
    } catch (const invalid_name& e) {
        throw config_error(field, e.what());
    }
}
}  // namespace

s3_location parse_s3_path(std::string_view path, const std::string& field) {
    if (path.starts_with("s3://"))
        path.remove_prefix(5);
    else if (path.starts_with("/"))
        path.remove_prefix(1);  // the Python original builds "s3:/" + path: "/bucket/prefix"
    const auto slash = path.find('/');
    s3_location out;
    out.bucket = std::string(path.substr(0, slash));
    if (out.bucket.empty())
        throw config_error(field, "names no bucket (expected \"bucket/prefix\")");
    check_segment(out.bucket, "bucket", field);
    if (slash != std::string_view::npos) {
        // Empty segments would make keys like "a//wf/t" that other S3 tools show oddly.
        std::string_view rest = path.substr(slash + 1);
        while (!rest.empty()) {
            const auto next = rest.find('/');
            const std::string_view segment = rest.substr(0, next);
            if (!segment.empty()) {
                check_segment(segment, "path segment", field);
                if (!out.prefix.empty())
                    out.prefix.push_back('/');
                out.prefix.append(segment);
            }
            if (next == std::string_view::npos)
                break;
            rest.remove_prefix(next + 1);
        }
    }
    return out;
}

}  // namespace functionfuse::detail
