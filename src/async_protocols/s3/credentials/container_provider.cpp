#include "async_protocols/s3/credentials/container_provider.hpp"

#include <fstream>
#include <iterator>

#include <functionfuse/error.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include "async_protocols/s3/credentials/credential_values.hpp"
#include "async_protocols/s3/credentials/http_fetch.hpp"

namespace functionfuse::s3 {
namespace {

constexpr std::string_view provider_name = "container credentials";
constexpr std::string_view error_code = "CredentialsEndpointError";

// The hosts plain http may reach, as the AWS SDKs allow them: loopback, the ECS endpoint and
// the EKS Pod Identity agent.
bool allowed_http_host(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" ||
           host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

std::optional<std::string> set(const env_lookup& env, std::string_view name) {
    auto v = env(name);
    if (v && v->empty())
        return std::nullopt;
    return v;
}

}  // namespace

std::unique_ptr<container_provider> container_provider::from_environment(const env_lookup& env) {
    std::unique_ptr<container_provider> p(new container_provider());
    if (auto relative = set(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        try {
            check_credential_value(*relative, "the value", false);
        } catch (const bad_credentials& e) {
            throw config_error("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", e.reason);
        }
        if (relative->front() != '/')
            throw config_error("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "must start with '/'");
        p->url_ = "http://169.254.170.2" + *relative;
        p->url_variable_ = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
        return p;  // the authorization token is only sent with FULL_URI, as in the SDKs
    }
    auto full = set(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!full)
        return nullptr;
    p->url_variable_ = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    try {
        check_credential_value(*full, "the value", false);
    } catch (const bad_credentials& e) {
        throw config_error(p->url_variable_, e.reason);
    }
    // Its own parse: this URL has a path (S3 endpoint URLs must not).
    auto parsed = boost::urls::parse_uri(*full);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->encoded_host().empty() || parsed->has_userinfo()) {
        throw config_error(p->url_variable_, "not an http(s) URL with a host (not shown)");
    }
    std::string host(parsed->encoded_host());
    if (parsed->host_type() == boost::urls::host_type::ipv6)
        host = std::string(parsed->encoded_host_address());
    if (parsed->scheme() == "http" && !allowed_http_host(host)) {
        throw config_error(p->url_variable_,
                           "plain http is only allowed to loopback, 169.254.170.2, "
                           "169.254.170.23 or fd00:ec2::23 (host '" +
                               host + "'); use https");
    }
    p->url_ = *full;
    p->token_file_ = set(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!p->token_file_)
        p->token_ = set(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    return p;
}

std::string container_provider::describe() const {
    return std::string(provider_name) + " (" + url_variable_ + ")";
}

timed_credentials container_provider::fetch() {
    http_call call;
    call.url = url_;
    call.connect_timeout = call.timeout = timeout;
    std::optional<std::string> token = token_;
    std::string token_source = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    if (token_file_) {
        token_source = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (" + *token_file_ + ")";
        std::ifstream in(*token_file_, std::ios::binary);
        if (!in) {
            throw config_error("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                               std::string(provider_name) + ": cannot read " + *token_file_);
        }
        token.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        while (!token->empty() && (token->back() == '\n' || token->back() == '\r'))
            token->pop_back();
    }
    if (token) {
        try {
            check_credential_value(*token, "the authorization token", false);
        } catch (const bad_credentials& e) {
            throw config_error(token_source, std::string(provider_name) + ": " + e.reason);
        }
        call.headers.push_back("Authorization: " + *token);
    }
    // Described without the URL's query (it could carry something private).
    std::string shown_url = url_.substr(0, url_.find('?'));
    http_answer a;
    for (int attempt = 1;; ++attempt) {
        try {
            a = http_perform(call);
            if (a.status >= 500 && attempt == 1)
                continue;
            break;
        } catch (const http_failure& f) {
            if (attempt == 1 && f.what_kind() != http_failure::kind::too_large)
                continue;
            // curl's text repeats the URL: shown without its query.
            std::string reason = f.what();
            if (auto at = reason.find(url_); at != std::string::npos)
                reason.replace(at, url_.size(), shown_url);
            throw_endpoint_error(provider_name, "GET (" + url_variable_ + ") failed: " + reason, 0,
                                 error_code);
        }
    }
    if (a.status != 200) {
        throw_endpoint_error(provider_name,
                             "GET " + shown_url + " (" + url_variable_ + ") answered HTTP " +
                                 std::to_string(a.status),
                             a.status, error_code);
    }
    try {
        return parse_credentials_json(a.body, "Token", false);
    } catch (const bad_credentials& e) {
        throw_endpoint_error(provider_name,
                             "GET " + shown_url + " (" + url_variable_ +
                                 "): malformed credentials document: " + e.reason,
                             a.status, error_code);
    }
}

}  // namespace functionfuse::s3
