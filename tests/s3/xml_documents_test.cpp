// S3 XML documents: error bodies into s3_error (no secrets), listings, multipart, delete.
#include <gtest/gtest.h>

#include "async_protocols/s3/core/error_response.hpp"
#include "async_protocols/s3/core/xml_documents.hpp"

namespace s3 = functionfuse::s3;

TEST(ErrorResponse, ParsesCodeMessageRequestIdAndKeepsTheCallersKey) {
    const std::string body =
        R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist &amp; never did.</Message>
<Key>server/echo</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>)";
    functionfuse::s3_error e = s3::make_s3_error(body, 404, "wf/task", "header-id");
    EXPECT_EQ(e.code(), "NoSuchKey");
    EXPECT_EQ(e.message(), "The specified key does not exist & never did.");
    EXPECT_EQ(e.request_id(), "4442587FB7D0A2F9");
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_EQ(e.key(), "wf/task");
    EXPECT_NE(std::string(e.what()).find("NoSuchKey"), std::string::npos);
}

TEST(ErrorResponse, DropsEchoedSigningMaterial) {
    // S3 and s3rver echo these in SignatureDoesNotMatch; none may reach an exception.
    const std::string body = R"(<Error><Code>SignatureDoesNotMatch</Code>
<Message>The request signature we calculated does not match the signature you provided.</Message>
<AWSAccessKeyId>AKIDSECRETISH</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 stuff</StringToSign>
<SignatureProvided>deadbeef</SignatureProvided><CanonicalRequest>PUT /b/k</CanonicalRequest>
<RequestId>r1</RequestId></Error>)";
    functionfuse::s3_error e = s3::make_s3_error(body, 403, "k", "");
    const std::string text = e.what();
    EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
    for (const char* leaked : {"AKIDSECRETISH", "deadbeef", "AWS4-HMAC-SHA256", "PUT /b/k"}) {
        EXPECT_EQ(text.find(leaked), std::string::npos) << leaked;
        EXPECT_EQ(e.message().find(leaked), std::string::npos) << leaked;
    }
}

TEST(ErrorResponse, AnEmptyMessageReadsAsTheCodesMeaning) {
    // Ceph RGW's error bodies carry an empty <Message>.
    const std::string body =
        "<Error><Code>NoSuchBucket</Code><Message></Message><BucketName>b</BucketName>"
        "<RequestId>tx1</RequestId><HostId>h</HostId></Error>";
    functionfuse::s3_error e = s3::make_s3_error(body, 404, "", "");
    EXPECT_EQ(e.message(), "The specified bucket does not exist");
    EXPECT_EQ(std::string(e.what()),
              "S3 error NoSuchBucket (HTTP 404): The specified bucket does not exist "
              "[request id tx1]");
    // A code nobody documents keeps an empty message and a text without a dangling ': '.
    functionfuse::s3_error odd =
        s3::make_s3_error("<Error><Code>XNotACode</Code><Message/></Error>", 400, "k", "");
    EXPECT_EQ(odd.message(), "");
    EXPECT_EQ(std::string(odd.what()), "S3 error XNotACode (HTTP 400) for key 'k'");
}

TEST(ErrorResponse, FallsBackToTheStatusAndHeaderForBodilessAnswers) {
    functionfuse::s3_error e = s3::make_s3_error("", 503, "k", "hdr-req-id");
    EXPECT_EQ(e.code(), "ServiceUnavailable");
    EXPECT_EQ(e.request_id(), "hdr-req-id");
    functionfuse::s3_error html = s3::make_s3_error("<html><body>bad gateway", 502, "", "");
    EXPECT_EQ(html.code(), "HTTP502");
    EXPECT_EQ(s3::parse_error_body("not xml at all <").code, "");
}

TEST(XmlDocuments, ParsesAListPageWithPrefixesAndToken) {
    const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<IsTruncated>true</IsTruncated><NextContinuationToken>tok/+=</NextContinuationToken>
<Contents><Key>a &amp; b&lt;c&gt;</Key><Size>12</Size><ETag>&quot;e1&quot;</ETag>
<LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>
<Contents><Key>caf&#233; x</Key><Size>0</Size></Contents>
<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>)";
    s3::list_page page = s3::parse_list_page(xml);
    EXPECT_TRUE(page.truncated);
    EXPECT_EQ(page.next_continuation_token, "tok/+=");
    ASSERT_EQ(page.content.objects.size(), 2u);
    EXPECT_EQ(page.content.objects[0].key, "a & b<c>");
    EXPECT_EQ(page.content.objects[0].size, 12u);
    EXPECT_EQ(page.content.objects[0].etag, "\"e1\"");
    EXPECT_EQ(page.content.objects[1].key, "caf\xC3\xA9 x");
    EXPECT_EQ(page.content.common_prefixes, std::vector<std::string>{"dir/"});
}

TEST(XmlDocuments, DecodesUrlEncodedListingsOnlyWhenTheServerSaysSo) {
    const std::string encoded = R"(<ListBucketResult><EncodingType>url</EncodingType>
<IsTruncated>false</IsTruncated><Contents><Key>a%20b%2Bc%25</Key><Size>1</Size></Contents>
<CommonPrefixes><Prefix>d%2F</Prefix></CommonPrefixes></ListBucketResult>)";
    s3::list_page page = s3::parse_list_page(encoded);
    EXPECT_FALSE(page.truncated);
    EXPECT_EQ(page.content.objects.at(0).key, "a b+c%");
    EXPECT_EQ(page.content.common_prefixes.at(0), "d/");
    const std::string plain =
        R"(<ListBucketResult><Contents><Key>a%20b</Key></Contents></ListBucketResult>)";
    EXPECT_EQ(s3::parse_list_page(plain).content.objects.at(0).key, "a%20b");
}

TEST(XmlDocuments, RejectsMalformedDocuments) {
    EXPECT_THROW(s3::parse_list_page("<ListBucketResult><Contents>"), functionfuse::error);
    EXPECT_THROW(s3::parse_list_page("<Other/>"), functionfuse::error);
    EXPECT_THROW(s3::parse_upload_id("<InitiateMultipartUploadResult/>"), functionfuse::error);
}

TEST(XmlDocuments, MultipartDocuments) {
    EXPECT_EQ(s3::parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                  "<UploadId>abc-123</UploadId></InitiateMultipartUploadResult>"),
              "abc-123");
    EXPECT_EQ(s3::complete_multipart_body({{1, "\"e1\""}, {2, "\"e2\""}}),
              "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
              "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
              "</CompleteMultipartUpload>");
    EXPECT_TRUE(s3::is_error_document("<Error><Code>InternalError</Code></Error>"));
    EXPECT_FALSE(s3::is_error_document(
        "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"));
    EXPECT_EQ(
        s3::parse_complete_etag(
            "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"),
        "\"x-2\"");
}

TEST(XmlDocuments, DeleteRequestEscapesKeysAndResultListsFailures) {
    EXPECT_EQ(s3::delete_objects_body({"a&b", "<c>"}),
              "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
              "<Object><Key>&lt;c&gt;</Key></Object></Delete>");
    auto failures = s3::parse_delete_result(
        "<DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>x</Key><Code>AccessDenied</Code>"
        "<Message>no</Message></Error></DeleteResult>");
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].key, "x");
    EXPECT_EQ(failures[0].code, "AccessDenied");
}

TEST(XmlDocuments, ContentMd5IsBase64OfTheDigest) {
    // RFC 1321 test vectors: MD5("abc") = 900150983cd2..., MD5("") = d41d8cd98f00....
    EXPECT_EQ(s3::content_md5("abc"), "kAFQmDzST7DWlj99KOF/cg==");
    EXPECT_EQ(s3::content_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
}
