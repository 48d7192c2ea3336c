#include "async_protocols/s3/credentials/sts_client.hpp"

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "async_protocols/s3/credentials/credential_values.hpp"
#include "async_protocols/s3/credentials/http_fetch.hpp"

namespace functionfuse::s3 {
namespace {

namespace pt = boost::property_tree;

std::optional<std::string> set(const env_lookup& env, std::string_view name) {
    auto v = env(name);
    if (v && v->empty())
        return std::nullopt;
    return v;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty())
            body += '&';
        body += uri_encode_query(name) + "=" + uri_encode_query(value);
    }
    return body;
}

// Keeps a server's error text printable and short (it goes into an exception message).
std::string printable(std::string text) {
    for (char& c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F)
            c = ' ';
    }
    if (text.size() > 300)
        text = text.substr(0, 300) + "...";
    return text;
}

timed_credentials call_sts(const sts_endpoint& ep, std::string_view action, std::string body,
                           const credentials* signer, std::string_view provider,
                           const std::vector<std::string>& sent_secrets) {
    endpoint parsed;
    try {
        parsed = parse_endpoint_url(ep.url);
    } catch (const config_error& e) {
        throw config_error(ep.source, std::string(provider) + ": " + e.reason());
    }
    http_call call;
    call.method = "POST";
    call.url = (parsed.use_tls ? "https://" : "http://") + parsed.host_header() + "/";
    call.body = std::move(body);
    call.ca_file = ep.ca_file;
    call.connect_timeout = std::chrono::seconds(5);
    call.timeout = std::chrono::seconds(30);
    const std::string content_type = "application/x-www-form-urlencoded; charset=utf-8";
    call.headers.push_back("Content-Type: " + content_type);
    if (signer) {
        request_to_sign req;
        req.method = "POST";
        req.encoded_path = "/";
        req.headers = {{"host", parsed.host_header()}, {"content-type", content_type}};
        req.payload_hash = sha256_hex(call.body);
        signing_params scope;
        scope.region = ep.region;
        scope.service = "sts";
        scope.time = std::chrono::system_clock::now();
        for (const auto& [name, value] : sign_request(req, *signer, scope).headers)
            call.headers.push_back(name + ": " + value);
    }
    const std::string what = std::string(action) + " at " + call.url + " (" + ep.source + ")";
    http_answer a;
    for (int attempt = 1;; ++attempt) {
        try {
            a = http_perform(call);
        } catch (const http_failure& f) {
            if (attempt < 3 && f.what_kind() != http_failure::kind::too_large)
                continue;
            throw_endpoint_error(provider, "STS " + what + " failed: " + f.what(), 0,
                                 "CredentialsEndpointError");
        }
        if (a.status >= 500 && attempt < 3)
            continue;
        break;
    }
    pt::ptree doc;
    bool parsed_ok = true;
    try {
        std::istringstream in(a.body);
        pt::read_xml(in, doc, pt::xml_parser::no_comments);
    } catch (const std::exception&) {
        parsed_ok = false;
    }
    if (a.status != 200) {
        std::string code = "STSError";
        std::string message;
        if (parsed_ok) {
            // AWS STS answers <ErrorResponse><Error>...; Ceph RGW's STS answers with the S3
            // error document, <Error> at the root (seen with 16.2), so both are read.
            auto err = doc.get_child_optional("ErrorResponse.Error");
            if (!err)
                err = doc.get_child_optional("Error");
            if (err) {
                code = printable(err->get<std::string>("Code", code));
                message = printable(redact(err->get<std::string>("Message", ""), sent_secrets));
            }
        }
        throw_endpoint_error(provider,
                             "STS " + what + " answered HTTP " + std::to_string(a.status) + " " +
                                 code + (message.empty() ? "" : ": " + message),
                             a.status, code);
    }
    const std::string result_path =
        std::string(action) + "Response." + std::string(action) + "Result.Credentials";
    auto creds = parsed_ok ? doc.get_child_optional(result_path) : boost::none;
    if (!creds) {
        throw_endpoint_error(provider, "STS " + what + ": the answer has no " + result_path,
                             a.status, "CredentialsEndpointError");
    }
    timed_credentials out;
    out.creds.access_key_id = creds->get<std::string>("AccessKeyId", "");
    out.creds.secret_access_key = creds->get<std::string>("SecretAccessKey", "");
    out.creds.session_token = creds->get<std::string>("SessionToken", "");
    const std::string expiration = creds->get<std::string>("Expiration", "");
    try {
        check_credential_value(out.creds.access_key_id, "AccessKeyId", false);
        check_credential_value(out.creds.secret_access_key, "SecretAccessKey", false);
        check_credential_value(out.creds.session_token, "SessionToken", false);
        out.expiration = parse_iso8601(expiration);
        if (!out.expiration)
            throw bad_credentials{"Expiration is missing or not an ISO 8601 UTC time"};
    } catch (const bad_credentials& e) {
        throw_endpoint_error(provider, "STS " + what + ": malformed credentials: " + e.reason,
                             a.status, "CredentialsEndpointError");
    }
    return out;
}

}  // namespace

sts_endpoint resolve_sts_endpoint(const env_lookup& env, std::string_view region,
                                  std::string_view regional_mode,
                                  std::string_view profile_endpoint) {
    sts_endpoint ep;
    ep.region = region.empty() ? "us-east-1" : std::string(region);
    ep.ca_file = set(env, "AWS_CA_BUNDLE").value_or("");
    if (auto url = set(env, "AWS_ENDPOINT_URL_STS")) {
        ep.url = *url;
        ep.source = "AWS_ENDPOINT_URL_STS";
    } else if (auto url = set(env, "AWS_ENDPOINT_URL")) {
        ep.url = *url;
        ep.source = "AWS_ENDPOINT_URL";
    } else if (!profile_endpoint.empty()) {
        ep.url = std::string(profile_endpoint);
        ep.source = "the profile's sts endpoint_url";
    } else if (regional_mode == "legacy") {
        ep.url = "https://sts.amazonaws.com";
        ep.region = "us-east-1";
        ep.source = "sts_regional_endpoints = legacy";
    } else {
        const bool china = ep.region.rfind("cn-", 0) == 0;
        ep.url = "https://sts." + ep.region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
        ep.source = "the regional STS endpoint";
    }
    return ep;
}

std::string default_session_name() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "functionfuse-" +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

timed_credentials sts_assume_role(const sts_endpoint& ep, const credentials& source,
                                  const assume_role_request& request, std::string_view provider) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Action", "AssumeRole"},
        {"Version", "2011-06-15"},
        {"RoleArn", request.role_arn},
        {"RoleSessionName", request.session_name}};
    if (request.external_id)
        fields.emplace_back("ExternalId", *request.external_id);
    if (request.duration_seconds)
        fields.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
    return call_sts(ep, "AssumeRole", form(fields), &source, provider,
                    {source.secret_access_key, source.session_token});
}

timed_credentials sts_assume_role_with_web_identity(const sts_endpoint& ep,
                                                    std::string_view role_arn,
                                                    std::string_view session_name,
                                                    std::string_view web_identity_token,
                                                    std::string_view provider) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Action", "AssumeRoleWithWebIdentity"},
        {"Version", "2011-06-15"},
        {"RoleArn", std::string(role_arn)},
        {"RoleSessionName", std::string(session_name)},
        {"WebIdentityToken", std::string(web_identity_token)}};
    return call_sts(ep, "AssumeRoleWithWebIdentity", form(fields), nullptr, provider,
                    {std::string(web_identity_token)});
}

}  // namespace functionfuse::s3
