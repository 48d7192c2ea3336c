// Design: S3's XML is read with Boost.PropertyTree (RapidXML underneath), which decodes
// entities and character references, so keys with &, <, quotes or non-ASCII come back
// exactly. The documents we send are tiny and fixed in shape, so they are written directly,
// with every key escaped. Listings ask for encoding-type=url (keys may hold characters XML 1.0
// cannot carry) and decode only when the server says it applied it — s3rver does not.
#include "async_protocols/s3/core/xml_documents.hpp"

#include <cstdint>
#include <sstream>

#include <openssl/evp.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "async_protocols/s3/core/uri_encode.hpp"
#include "functionfuse/error.hpp"

namespace functionfuse::s3 {

namespace pt = boost::property_tree;

namespace {
pt::ptree read_document(std::string_view xml, std::string_view what) {
    try {
        std::istringstream in{std::string(xml)};
        pt::ptree doc;
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
        return doc;
    } catch (const pt::ptree_error& e) {
        throw error("S3 answered a malformed " + std::string(what) + " document: " + e.what());
    }
}
}  // namespace

list_page parse_list_page(std::string_view xml) {
    pt::ptree doc = read_document(xml, "ListBucketResult");
    auto result = doc.get_child_optional("ListBucketResult");
    if (!result)
        throw error("S3 list answer has no ListBucketResult element");
    const bool url_encoded = result->get<std::string>("EncodingType", "") == "url";
    auto decode = [&](std::string s) { return url_encoded ? percent_decode(s) : s; };
    list_page page;
    page.truncated = result->get<std::string>("IsTruncated", "false") == "true";
    page.next_continuation_token = result->get<std::string>("NextContinuationToken", "");
    for (const auto& [name, child] : *result) {
        if (name == "Contents") {
            object_info info;
            info.key = decode(child.get<std::string>("Key", ""));
            info.size = child.get<std::uint64_t>("Size", 0);
            info.etag = child.get<std::string>("ETag", "");
            info.last_modified = child.get<std::string>("LastModified", "");
            page.content.objects.push_back(std::move(info));
        } else if (name == "CommonPrefixes") {
            page.content.common_prefixes.push_back(decode(child.get<std::string>("Prefix", "")));
        }
    }
    return page;
}

multipart_upload_page parse_multipart_uploads_page(std::string_view xml) {
    pt::ptree doc = read_document(xml, "ListMultipartUploadsResult");
    auto result = doc.get_child_optional("ListMultipartUploadsResult");
    if (!result)
        throw error("S3 list-uploads answer has no ListMultipartUploadsResult element");
    const bool url_encoded = result->get<std::string>("EncodingType", "") == "url";
    auto decode = [&](std::string s) { return url_encoded ? percent_decode(s) : s; };
    multipart_upload_page page;
    page.truncated = result->get<std::string>("IsTruncated", "false") == "true";
    page.next_key_marker = decode(result->get<std::string>("NextKeyMarker", ""));
    page.next_upload_id_marker = result->get<std::string>("NextUploadIdMarker", "");
    for (const auto& [name, child] : *result) {
        if (name != "Upload")
            continue;
        multipart_upload_info u;
        u.key = decode(child.get<std::string>("Key", ""));
        u.upload_id = child.get<std::string>("UploadId", "");
        u.initiated = child.get<std::string>("Initiated", "");
        page.uploads.push_back(std::move(u));
    }
    return page;
}

std::string parse_upload_id(std::string_view xml) {
    pt::ptree doc = read_document(xml, "InitiateMultipartUploadResult");
    std::string id = doc.get<std::string>("InitiateMultipartUploadResult.UploadId", "");
    if (id.empty())
        throw error("S3 multipart initiate answer has no UploadId");
    return id;
}

std::string complete_multipart_body(const std::vector<completed_part>& parts) {
    std::string body = "<CompleteMultipartUpload>";
    for (const auto& p : parts) {
        body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" +
                xml_escape(p.etag) + "</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    return body;
}

bool is_error_document(std::string_view xml) {
    try {
        std::istringstream in{std::string(xml)};
        pt::ptree doc;
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
        return doc.get_child_optional("Error").has_value();
    } catch (const pt::ptree_error&) {
        return false;
    }
}

std::string parse_complete_etag(std::string_view xml) {
    try {
        std::istringstream in{std::string(xml)};
        pt::ptree doc;
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
        return doc.get<std::string>("CompleteMultipartUploadResult.ETag", "");
    } catch (const pt::ptree_error&) {
        return {};
    }
}

std::string delete_objects_body(const std::vector<std::string>& keys) {
    std::string body = "<Delete><Quiet>true</Quiet>";
    for (const auto& k : keys)
        body += "<Object><Key>" + xml_escape(k) + "</Key></Object>";
    body += "</Delete>";
    return body;
}

std::vector<delete_failure> parse_delete_result(std::string_view xml) {
    pt::ptree doc = read_document(xml, "DeleteResult");
    std::vector<delete_failure> failures;
    auto result = doc.get_child_optional("DeleteResult");
    if (!result)
        return failures;
    for (const auto& [name, child] : *result) {
        if (name != "Error")
            continue;
        failures.push_back({child.get<std::string>("Key", ""), child.get<std::string>("Code", ""),
                            child.get<std::string>("Message", "")});
    }
    return failures;
}

std::string content_md5(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1) {
        throw error("OpenSSL MD5 failed");
    }
    std::string out(4 * ((size + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest,
                                  static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "&#" + std::to_string(static_cast<int>(c)) + ";";
                } else {
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace functionfuse::s3
