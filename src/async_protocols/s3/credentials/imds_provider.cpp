#include "async_protocols/s3/credentials/imds_provider.hpp"

#include "async_protocols/s3/credentials/credential_values.hpp"
#include "async_protocols/s3/credentials/http_fetch.hpp"

namespace functionfuse::s3 {
namespace {

constexpr std::string_view provider_name = "instance metadata (IMDSv2)";
constexpr std::string_view error_code = "CredentialsEndpointError";

// One retry for what may pass (refused while starting, a 5xx, a reset), none for a timeout:
// a timeout is what a machine without IMDS sees, and waiting twice doubles the laptop's delay.
http_answer call_with_retry(const http_call& call, const std::string& what) {
    for (int attempt = 1;; ++attempt) {
        try {
            http_answer a = http_perform(call);
            if (a.status >= 500 && attempt == 1)
                continue;
            return a;
        } catch (const http_failure& f) {
            if (attempt == 1 && f.what_kind() != http_failure::kind::timeout &&
                f.what_kind() != http_failure::kind::too_large) {
                continue;
            }
            throw_endpoint_error(provider_name, what + " failed: " + f.what(), 0, error_code);
        }
    }
}

}  // namespace

imds_provider::imds_provider(imds_options options) : options_(std::move(options)) {
    while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
        options_.endpoint.pop_back();
}

std::string imds_provider::describe() const {
    return std::string(provider_name) + " at " + options_.endpoint;
}

std::string imds_provider::token() {
    const auto now = std::chrono::steady_clock::now();
    if (!token_.empty() && now < token_expiry_)
        return token_;
    http_call call;
    call.method = "PUT";
    call.url = options_.endpoint + "/latest/api/token";
    call.headers = {"X-aws-ec2-metadata-token-ttl-seconds: " +
                    std::to_string(options_.token_ttl.count())};
    call.connect_timeout = call.timeout = options_.timeout;
    call.max_body = 4096;
    const http_answer a = call_with_retry(call, "PUT " + call.url);
    if (a.status != 200) {
        throw_endpoint_error(provider_name,
                             "PUT " + call.url + " answered HTTP " + std::to_string(a.status) +
                                 " (no session token; IMDSv1 is not used)",
                             a.status, error_code);
    }
    try {
        check_credential_value(a.body, "the session token", false);
    } catch (const bad_credentials& e) {
        throw_endpoint_error(provider_name, "PUT " + call.url + ": " + e.reason, a.status,
                             error_code);
    }
    token_ = a.body;
    // Renewed a minute early so that it never expires between two requests.
    token_expiry_ =
        now + options_.token_ttl -
        std::min<std::chrono::seconds>(std::chrono::seconds(60), options_.token_ttl / 2);
    return token_;
}

imds_provider::answer imds_provider::get(const std::string& path) {
    for (int round = 1;; ++round) {
        http_call call;
        call.url = options_.endpoint + path;
        call.headers = {"X-aws-ec2-metadata-token: " + token()};
        call.connect_timeout = call.timeout = options_.timeout;
        const http_answer a = call_with_retry(call, "GET " + call.url);
        if (a.status == 401 && round == 1) {
            token_.clear();  // expired or revoked: one new token, as the SDKs do
            continue;
        }
        if (a.status != 200) {
            throw_endpoint_error(provider_name,
                                 "GET " + call.url + " answered HTTP " + std::to_string(a.status),
                                 a.status, error_code);
        }
        return {a.status, a.body};
    }
}

timed_credentials imds_provider::fetch() {
    std::lock_guard lock(mutex_);
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    std::string role = get(base).body;
    if (auto nl = role.find('\n'); nl != std::string::npos)
        role.resize(nl);
    bool role_ok = !role.empty() && role.size() <= 128;
    for (char c : role) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') ||
                             std::string_view("+=,.@_-").find(c) != std::string_view::npos;
        role_ok = role_ok && allowed;
    }
    if (!role_ok) {
        throw_endpoint_error(provider_name,
                             "GET " + options_.endpoint + base +
                                 " did not answer a role name (empty, too long or with "
                                 "characters an IAM role name cannot have; not shown)",
                             200, error_code);
    }
    const answer a = get(base + role);
    try {
        return parse_credentials_json(a.body, "Token", true);
    } catch (const bad_credentials& e) {
        throw_endpoint_error(provider_name,
                             "GET " + options_.endpoint + base + role +
                                 ": malformed credentials document: " + e.reason,
                             a.status, error_code);
    }
}

std::string imds_provider::region() {
    std::lock_guard lock(mutex_);
    const std::string path = "/latest/meta-data/placement/region";
    std::string r = get(path).body;
    try {
        check_credential_value(r, "the region", false);
    } catch (const bad_credentials& e) {
        throw_endpoint_error(provider_name, "GET " + options_.endpoint + path + ": " + e.reason,
                             200, error_code);
    }
    return r;
}

}  // namespace functionfuse::s3
