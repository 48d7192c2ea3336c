#include "async_protocols/s3/core/operations.hpp"

#include <algorithm>

#include "async_protocols/s3/core/xml_documents.hpp"
#include "functionfuse/error.hpp"

namespace functionfuse::s3 {

list_objects_pager::list_objects_pager(std::string_view prefix, std::string_view delimiter)
    : prefix_(prefix), delimiter_(delimiter) {}

query_params list_objects_pager::query() const {
    query_params q = {{"list-type", "2"}, {"encoding-type", "url"}};
    if (!prefix_.empty())
        q.emplace_back("prefix", prefix_);
    if (!delimiter_.empty())
        q.emplace_back("delimiter", delimiter_);
    if (!token_.empty())
        q.emplace_back("continuation-token", token_);
    return q;
}

void list_objects_pager::take(std::string_view page_xml, int http_status,
                              std::string_view request_id) {
    list_page page = parse_list_page(page_xml);
    for (auto& o : page.content.objects)
        all_.objects.push_back(std::move(o));
    for (auto& p : page.content.common_prefixes)
        all_.common_prefixes.push_back(std::move(p));
    if (!page.truncated) {
        done_ = true;
        return;
    }
    if (page.next_continuation_token.empty() ||
        !seen_tokens_.insert(page.next_continuation_token).second) {
        throw s3_error("InvalidListing", "truncated listing without a new continuation token",
                       std::string(request_id), http_status, "");
    }
    token_ = std::move(page.next_continuation_token);
}

list_uploads_pager::list_uploads_pager(std::string_view prefix) : prefix_(prefix) {}

query_params list_uploads_pager::query() const {
    query_params q = {{"uploads", ""}, {"encoding-type", "url"}};
    if (!prefix_.empty())
        q.emplace_back("prefix", prefix_);
    if (!key_marker_.empty())
        q.emplace_back("key-marker", key_marker_);
    if (!upload_id_marker_.empty())
        q.emplace_back("upload-id-marker", upload_id_marker_);
    return q;
}

void list_uploads_pager::take(std::string_view page_xml, int http_status,
                              std::string_view request_id) {
    multipart_upload_page page = parse_multipart_uploads_page(page_xml);
    for (auto& u : page.uploads)
        all_.push_back(std::move(u));
    if (!page.truncated) {
        done_ = true;
        return;
    }
    if ((page.next_key_marker.empty() && page.next_upload_id_marker.empty()) ||
        !seen_markers_.emplace(page.next_key_marker, page.next_upload_id_marker).second) {
        throw s3_error("InvalidListing", "truncated upload listing without new markers",
                       std::string(request_id), http_status, "");
    }
    key_marker_ = std::move(page.next_key_marker);
    upload_id_marker_ = std::move(page.next_upload_id_marker);
}

std::optional<std::int64_t> parse_iso8601_utc(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        if (at + n > t.size())
            return std::nullopt;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9')
                return std::nullopt;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
        t[16] != ':' || t.back() != 'Z')
        return std::nullopt;
    auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
         mi = digits(14, 2), s = digits(17, 2);
    if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
        *mi > 59 || *s > 60)
        return std::nullopt;
    if (t.size() > 20 && t[19] != '.')
        return std::nullopt;
    // Days from the civil date (Howard Hinnant's algorithm), no time zone database needed.
    const int yy = *y - (*mo <= 2);
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (*mo + (*mo > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return days * 86400 + *h * 3600 + *mi * 60 + *s;
}

std::vector<delete_batch> delete_batches(const std::vector<std::string>& keys) {
    std::vector<delete_batch> batches;
    for (std::size_t start = 0; start < keys.size(); start += max_keys_per_delete) {
        const auto first = keys.begin() + static_cast<std::ptrdiff_t>(start);
        const auto last = keys.begin() + static_cast<std::ptrdiff_t>(
                                             std::min(keys.size(), start + max_keys_per_delete));
        delete_batch b;
        b.body = delete_objects_body(std::vector<std::string>(first, last));
        b.headers = {{"content-md5", content_md5(b.body)}, {"content-type", "application/xml"}};
        batches.push_back(std::move(b));
    }
    return batches;
}

}  // namespace functionfuse::s3
