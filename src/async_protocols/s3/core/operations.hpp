#pragma once
// The S3 operations that take more than one request, written once for both transports
// (sans-I/O, as TensorStore's s3 request builders separate building from sending): the
// transport sends what these say and hands back what the server answered.
//
//   list_objects_pager pager(prefix, delimiter);
//   while (!pager.done()) pager.take(send(GET bucket?pager.query()).body, request_id);
//   list_result all = pager.take_result();
//
//   for (const delete_batch& b : delete_batches(keys))
//       collect(parse_delete_result(send(POST bucket?delete, b.headers, b.body).body));

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "async_protocols/s3/core/object_types.hpp"

namespace functionfuse::s3 {

/// Raw (unencoded) query parameters; an empty value is sent without '='.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// ListObjectsV2 over all pages: the query of each page request, and the pages' contents
/// gathered in order.
class list_objects_pager {
  public:
    list_objects_pager(std::string_view prefix, std::string_view delimiter);

    /// The query of the next page's GET on the bucket (`list-type=2`, url encoding, prefix,
    /// delimiter, continuation token).
    query_params query() const;
    /// Takes one page's answer. Throws `s3_error` "InvalidListing" when the server says
    /// the listing is truncated but gives no continuation token, or one it gave before
    /// (which would page forever, also when it alternates between tokens), and
    /// `functionfuse::error` for a malformed page.
    void take(std::string_view page_xml, int http_status, std::string_view request_id);
    /// True once the last page was taken.
    bool done() const noexcept { return done_; }
    /// Everything listed (call once, after `done()`).
    list_result take_result() { return std::move(all_); }

  private:
    std::string prefix_, delimiter_, token_;
    std::set<std::string, std::less<>> seen_tokens_;
    list_result all_;
    bool done_ = false;
};

/// ListMultipartUploads over all pages (GET on the bucket with query `uploads`): the query of
/// each page request and the uploads gathered in order. Used by gc to find uploads that were
/// started and never completed or aborted (their parts are stored, and billed, until then).
class list_uploads_pager {
  public:
    explicit list_uploads_pager(std::string_view prefix);

    /// The query of the next page's GET on the bucket (`uploads`, url encoding, prefix,
    /// key-marker and upload-id-marker from the previous page).
    query_params query() const;
    /// Takes one page's answer. Throws `s3_error` "InvalidListing" when a truncated page gives
    /// no markers, or markers it gave before (which would page forever), and
    /// `functionfuse::error` for a malformed page.
    void take(std::string_view page_xml, int http_status, std::string_view request_id);
    bool done() const noexcept { return done_; }
    /// Everything listed (call once, after `done()`).
    std::vector<multipart_upload_info> take_result() { return std::move(all_); }

  private:
    std::string prefix_, key_marker_, upload_id_marker_;
    std::set<std::pair<std::string, std::string>, std::less<>> seen_markers_;
    std::vector<multipart_upload_info> all_;
    bool done_ = false;
};

/// Parses an S3 timestamp as listings send it (ISO 8601 UTC, `2026-12-03T10:23:45.000Z`,
/// fraction optional) into seconds since the Unix epoch; nullopt if it is not one.
std::optional<std::int64_t> parse_iso8601_utc(std::string_view text);

/// One DeleteObjects request: its XML body and the headers it needs (Content-MD5 is
/// required by S3 for this request).
struct delete_batch {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< lower-case names
};

/// S3 deletes at most 1,000 keys per DeleteObjects request.
inline constexpr std::size_t max_keys_per_delete = 1000;

/// The quiet DeleteObjects requests (POST on the bucket with query `delete`) that delete
/// `keys`; failures are read from each answer with `parse_delete_result`.
std::vector<delete_batch> delete_batches(const std::vector<std::string>& keys);

}  // namespace functionfuse::s3
