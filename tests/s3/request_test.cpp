// The one S3 request description (core/request.hpp): each operation's request is built once,
// for both transports, and `prepare_request` addresses, checks and hashes it the same way for
// both (the transports then only sign and send).
#include <gtest/gtest.h>

#include "async_protocols/s3/core/operations.hpp"
#include "async_protocols/s3/core/request.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "functionfuse/error.hpp"

namespace ff = functionfuse;
namespace s3 = functionfuse::s3;

namespace {

s3::client_params params() {
    s3::client_params p;
    p.host = "127.0.0.1";
    p.port = 4568;
    p.use_tls = false;
    p.addressing = s3::addressing_style::path;
    p.creds.access_key_id = "AKIDEXAMPLE";
    p.creds.secret_access_key = "secret";
    return p;
}

s3::endpoint server() {
    s3::endpoint e;
    e.use_tls = false;
    e.host = "127.0.0.1";
    e.port = 4568;
    return e;
}

}  // namespace

TEST(Request, BuildersDescribeEachOperation) {
    const std::string body = "payload";
    auto put = s3::put_object_request("b", "wf/t", body, "application/octet-stream");
    EXPECT_EQ(put.method, s3::http_method::put);
    EXPECT_EQ(put.bucket, "b");
    EXPECT_EQ(put.key, "wf/t");
    EXPECT_EQ(put.body, body);
    EXPECT_EQ(put.headers, (std::vector<std::pair<std::string, std::string>>{
                               {"content-type", "application/octet-stream"}}));
    EXPECT_FALSE(put.allow_not_found);
    EXPECT_TRUE(s3::put_object_request("b", "k", body, "").headers.empty());

    auto get = s3::get_object_request("b", "k", s3::byte_range{5, 9});
    EXPECT_EQ(get.method, s3::http_method::get);
    EXPECT_TRUE(get.allow_not_found);
    EXPECT_EQ(get.headers,
              (std::vector<std::pair<std::string, std::string>>{{"range", "bytes=5-9"}}));
    EXPECT_EQ(s3::get_object_request("b", "k", s3::byte_range{5, std::nullopt}).headers[0].second,
              "bytes=5-");
    EXPECT_TRUE(s3::get_object_request("b", "k", std::nullopt).headers.empty());

    auto head = s3::head_object_request("b", "k");
    EXPECT_TRUE(head.head());
    EXPECT_TRUE(head.allow_not_found);
    EXPECT_TRUE(s3::delete_object_request("b", "k").allow_not_found);

    const std::vector<std::string> keys{"a", "b"};
    const auto batches = s3::delete_batches(keys);
    ASSERT_EQ(batches.size(), 1u);
    auto del = s3::delete_objects_request("b", batches[0]);
    EXPECT_EQ(del.method, s3::http_method::post);
    EXPECT_TRUE(del.key.empty());
    EXPECT_EQ(del.query, (std::vector<std::pair<std::string, std::string>>{{"delete", ""}}));
    EXPECT_EQ(del.headers, batches[0].headers);
    EXPECT_EQ(del.body, batches[0].body);

    auto part = s3::upload_part_request("b", "k", "up/1", 3, body);
    EXPECT_EQ(part.query, (std::vector<std::pair<std::string, std::string>>{{"partNumber", "3"},
                                                                            {"uploadId", "up/1"}}));
    EXPECT_TRUE(s3::abort_multipart_upload_request("b", "k", "u").allow_not_found);
    EXPECT_EQ(s3::method_name(s3::http_method::delete_), "DELETE");
}

TEST(Request, PrepareAddressesHashesAndPutsTheCanonicalQueryInTheTarget) {
    const std::string body = "payload";
    auto r = s3::list_page_request("bucket", {{"prefix", "a b/"}, {"list-type", "2"}});
    const auto p = s3::prepare_request(r, server(), params());
    EXPECT_EQ(p.address.host_header, "127.0.0.1:4568");
    EXPECT_EQ(p.target, "/bucket?list-type=2&prefix=a%20b%2F");
    EXPECT_EQ(p.payload_hash, s3::sha256_hex(""));
    EXPECT_EQ(p.described, "GET http://127.0.0.1:4568/bucket");

    auto put = s3::put_object_request("bucket", "wf/a b", body, "");
    const auto pp = s3::prepare_request(put, server(), params());
    EXPECT_EQ(pp.target, "/bucket/wf/a%20b");
    EXPECT_EQ(pp.payload_hash, s3::sha256_hex(body));
    auto unsigned_params = params();
    unsigned_params.unsigned_payload = true;
    EXPECT_EQ(s3::prepare_request(put, server(), unsigned_params).payload_hash, "UNSIGNED-PAYLOAD");
}

TEST(Request, PrepareRefusesWhatMustNotBeSent) {
    auto bad_header = s3::put_object_request("b", "k", "", "text/plain\r\nX-Evil: 1");
    EXPECT_THROW(s3::prepare_request(bad_header, server(), params()), ff::config_error);
    auto dot_segment = s3::get_object_request("b", "wf/../other", std::nullopt);
    EXPECT_THROW(s3::prepare_request(dot_segment, server(), params()), ff::config_error);
}
