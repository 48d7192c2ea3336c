// The one S3 request description and its builders (see request.hpp).
#include "async_protocols/s3/core/request.hpp"

#include <array>

#include <fmt/format.h>

#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "value/error_text.hpp"

namespace functionfuse::s3 {

std::string_view method_name(http_method m) noexcept {
    // Indexed by the enumerators, in their order.
    static constexpr std::array<std::string_view, 5> names{"GET", "HEAD", "PUT", "POST", "DELETE"};
    return names[static_cast<std::size_t>(m)];
}

prepared_request prepare_request(const request& r, const endpoint& server,
                                 const client_params& params) {
    prepared_request out;
    out.address = address_object(server, params.addressing, r.bucket, r.key);
    const std::string raw_path = "/" + r.bucket + "/" + r.key;
    request_parts parts;
    parts.host_header = out.address.host_header;
    parts.raw_path = raw_path;
    parts.query = &r.query;
    parts.headers = &r.headers;
    parts.region = params.region;
    parts.creds = &params.creds;
    check_request(parts);

    // The canonical (encoded, sorted) query on the wire as well as in the signature: curl
    // signs the URL's query verbatim, and one form for both transports keeps them alike.
    out.target = out.address.encoded_path;
    if (!r.query.empty())
        out.target += "?" + canonical_query_string(r.query);
    out.payload_hash =
        params.unsigned_payload ? std::string("UNSIGNED-PAYLOAD") : sha256_hex(r.body);
    std::string text = fmt::format("{} {}/", method_name(r.method), server.origin());
    if (!r.bucket.empty())
        text += r.bucket;
    if (!r.key.empty())
        text += "/" + r.key;
    out.described = detail::shown(text);
    return out;
}

namespace {
request object_request(http_method m, std::string_view bucket, std::string_view key) {
    request r;
    r.method = m;
    r.bucket = std::string(bucket);
    r.key = std::string(key);
    return r;
}
}  // namespace

request put_object_request(std::string_view bucket, std::string_view key, std::string_view body,
                           std::string_view content_type) {
    request r = object_request(http_method::put, bucket, key);
    r.body = body;
    if (!content_type.empty())
        r.headers.emplace_back("content-type", std::string(content_type));
    return r;
}

request put_object_if_absent_request(std::string_view bucket, std::string_view key,
                                     std::string_view body, std::string_view content_type) {
    request r = put_object_request(bucket, key, body, content_type);
    r.headers.emplace_back("if-none-match", "*");
    return r;
}

request get_object_request(std::string_view bucket, std::string_view key,
                           std::optional<byte_range> range) {
    request r = object_request(http_method::get, bucket, key);
    r.allow_not_found = true;
    if (range) {
        std::string value = "bytes=" + std::to_string(range->first) + "-";
        if (range->last)
            value += std::to_string(*range->last);
        r.headers.emplace_back("range", std::move(value));
    }
    return r;
}

request head_object_request(std::string_view bucket, std::string_view key) {
    request r = object_request(http_method::head, bucket, key);
    r.allow_not_found = true;
    return r;
}

request delete_object_request(std::string_view bucket, std::string_view key) {
    request r = object_request(http_method::delete_, bucket, key);
    r.allow_not_found = true;
    return r;
}

request delete_objects_request(std::string_view bucket, const delete_batch& batch) {
    request r = object_request(http_method::post, bucket, "");
    r.query = {{"delete", ""}};
    r.headers = batch.headers;
    r.body = batch.body;
    return r;
}

request list_page_request(std::string_view bucket,
                          std::vector<std::pair<std::string, std::string>> query) {
    request r = object_request(http_method::get, bucket, "");
    r.query = std::move(query);
    return r;
}

request create_bucket_request(std::string_view bucket, std::string_view body) {
    request r = object_request(http_method::put, bucket, "");
    r.body = body;
    return r;
}

request create_multipart_upload_request(std::string_view bucket, std::string_view key,
                                        std::string_view content_type) {
    request r = object_request(http_method::post, bucket, key);
    r.query = {{"uploads", ""}};
    if (!content_type.empty())
        r.headers.emplace_back("content-type", std::string(content_type));
    return r;
}

request upload_part_request(std::string_view bucket, std::string_view key,
                            std::string_view upload_id, int part_number, std::string_view body) {
    request r = object_request(http_method::put, bucket, key);
    r.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}};
    r.body = body;
    return r;
}

request complete_multipart_upload_request(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id, std::string_view body) {
    request r = object_request(http_method::post, bucket, key);
    r.query = {{"uploadId", std::string(upload_id)}};
    r.headers = {{"content-type", "application/xml"}};
    r.body = body;
    return r;
}

request abort_multipart_upload_request(std::string_view bucket, std::string_view key,
                                       std::string_view upload_id) {
    request r = object_request(http_method::delete_, bucket, key);
    r.query = {{"uploadId", std::string(upload_id)}};
    r.allow_not_found = true;
    return r;
}

}  // namespace functionfuse::s3
