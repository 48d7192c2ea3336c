// The multi-request S3 operations of both transports, without a server: ListObjectsV2 paging
// (and its guard against a server that would page forever) and DeleteObjects batching.
#include <gtest/gtest.h>

#include "async_protocols/s3/core/operations.hpp"
#include "async_protocols/s3/core/xml_documents.hpp"
#include "functionfuse/error.hpp"

namespace s3 = functionfuse::s3;

namespace {

std::string page(const std::string& key, bool truncated, const std::string& next_token) {
    std::string xml = "<ListBucketResult><Contents><Key>" + key + "</Key><Size>1</Size></Contents>";
    xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
    if (!next_token.empty())
        xml += "<NextContinuationToken>" + next_token + "</NextContinuationToken>";
    return xml + "</ListBucketResult>";
}

std::string value_of(const s3::query_params& q, const std::string& name) {
    for (const auto& [n, v] : q)
        if (n == name)
            return v;
    return "<absent>";
}

}  // namespace

TEST(ListObjectsPager, FollowsContinuationTokensAndGathersEveryPage) {
    s3::list_objects_pager pager("wf/", "/");
    EXPECT_EQ(value_of(pager.query(), "list-type"), "2");
    EXPECT_EQ(value_of(pager.query(), "prefix"), "wf/");
    EXPECT_EQ(value_of(pager.query(), "delimiter"), "/");
    EXPECT_EQ(value_of(pager.query(), "continuation-token"), "<absent>");
    pager.take(page("wf/a", true, "t1"), 200, "");
    EXPECT_FALSE(pager.done());
    EXPECT_EQ(value_of(pager.query(), "continuation-token"), "t1");
    pager.take(page("wf/b", false, ""), 200, "");
    EXPECT_TRUE(pager.done());
    const auto all = pager.take_result();
    ASSERT_EQ(all.objects.size(), 2u);
    EXPECT_EQ(all.objects[0].key, "wf/a");
    EXPECT_EQ(all.objects[1].key, "wf/b");
}

TEST(ListObjectsPager, ATruncatedPageWithoutANewTokenIsInvalidListing) {
    for (const std::string repeated : {"", "t1"}) {
        s3::list_objects_pager pager("", "");
        pager.take(page("a", true, "t1"), 200, "");
        try {
            pager.take(page("b", true, repeated), 200, "req-7");
            ADD_FAILURE() << "a server repeating '" << repeated << "' would be paged forever";
        } catch (const functionfuse::s3_error& e) {
            EXPECT_EQ(e.code(), "InvalidListing");
            EXPECT_EQ(e.request_id(), "req-7");
        }
    }
}

TEST(ListObjectsPager, AServerAlternatingBetweenTwoTokensIsInvalidListing) {
    s3::list_objects_pager pager("", "");
    pager.take(page("a", true, "t1"), 200, "");
    pager.take(page("b", true, "t2"), 200, "");
    EXPECT_THROW(pager.take(page("c", true, "t1"), 200, ""), functionfuse::s3_error);
}

TEST(DeleteBatches, AtMostAThousandKeysEachWithContentMd5) {
    std::vector<std::string> keys;
    for (int i = 0; i < 2001; ++i)
        keys.push_back("k" + std::to_string(i));
    const auto batches = s3::delete_batches(keys);
    ASSERT_EQ(batches.size(), 3u);
    std::size_t listed = 0;
    for (const auto& b : batches) {
        std::size_t n = 0;
        for (auto at = b.body.find("<Key>"); at != std::string::npos;
             at = b.body.find("<Key>", at + 1))
            ++n;
        EXPECT_LE(n, s3::max_keys_per_delete);
        listed += n;
        ASSERT_EQ(b.headers.at(0).first, "content-md5");
        EXPECT_EQ(b.headers.at(0).second, s3::content_md5(b.body));
    }
    EXPECT_EQ(listed, keys.size());
    EXPECT_TRUE(s3::delete_batches({}).empty());
}

namespace {

/// A ListMultipartUploadsResult page as AWS documents it (keys url-encoded on request).
std::string uploads_page(const std::string& key, bool truncated, const std::string& next_key,
                         const std::string& next_id) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListMultipartUploadsResult "
        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
        "<EncodingType>url</EncodingType><Upload><Key>" +
        key + "</Key><UploadId>id-" + key +
        "</UploadId><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>";
    xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
    if (!next_key.empty())
        xml += "<NextKeyMarker>" + next_key + "</NextKeyMarker>";
    if (!next_id.empty())
        xml += "<NextUploadIdMarker>" + next_id + "</NextUploadIdMarker>";
    return xml + "</ListMultipartUploadsResult>";
}

}  // namespace

TEST(ListUploadsPager, FollowsMarkersDecodesKeysAndGathersEveryPage) {
    s3::list_uploads_pager pager("root/");
    EXPECT_EQ(value_of(pager.query(), "uploads"), "");
    EXPECT_EQ(value_of(pager.query(), "prefix"), "root/");
    EXPECT_EQ(value_of(pager.query(), "key-marker"), "<absent>");
    pager.take(uploads_page("root/a%20b", true, "root/a%20b", "m1"), 200, "");
    EXPECT_FALSE(pager.done());
    EXPECT_EQ(value_of(pager.query(), "key-marker"), "root/a b");
    EXPECT_EQ(value_of(pager.query(), "upload-id-marker"), "m1");
    pager.take(uploads_page("root/c", false, "", ""), 200, "");
    EXPECT_TRUE(pager.done());
    const auto all = pager.take_result();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].key, "root/a b");
    EXPECT_EQ(all[0].upload_id, "id-root/a%20b");
    EXPECT_EQ(all[1].initiated, "2010-11-10T20:48:33.000Z");
}

TEST(ListUploadsPager, RefusesATruncatedPageThatWouldPageForever) {
    s3::list_uploads_pager pager("");
    pager.take(uploads_page("a", true, "a", "m1"), 200, "");
    EXPECT_THROW(pager.take(uploads_page("a", true, "a", "m1"), 200, "rid"),
                 functionfuse::s3_error);
    s3::list_uploads_pager no_markers("");
    EXPECT_THROW(no_markers.take(uploads_page("a", true, "", ""), 200, "rid"),
                 functionfuse::s3_error);
}

TEST(Iso8601, ParsesListingTimestampsAndRefusesOthers) {
    EXPECT_EQ(s3::parse_iso8601_utc("1970-01-01T00:00:00.000Z"), 0);
    EXPECT_EQ(s3::parse_iso8601_utc("2010-11-10T20:48:33.000Z"), 1289422113);
    EXPECT_EQ(s3::parse_iso8601_utc("2000-02-29T12:00:00Z"), 951825600);
    EXPECT_FALSE(s3::parse_iso8601_utc("Wed, 10 Nov 2010 20:48:33 GMT"));
    EXPECT_FALSE(s3::parse_iso8601_utc("2010-13-10T20:48:33Z"));
    EXPECT_FALSE(s3::parse_iso8601_utc(""));
}
