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
