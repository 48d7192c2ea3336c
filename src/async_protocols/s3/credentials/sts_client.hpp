#pragma once
// The two STS calls the providers need, as real requests: AssumeRole (SigV4-signed with the
// source credentials by the library's own signer, service "sts") and
// AssumeRoleWithWebIdentity (unsigned, as the API defines it), form-encoded POSTs of the
// Query API (Version 2011-06-15) whose XML answers are parsed and checked here.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "async_protocols/s3/credentials/credentials.hpp"
#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// Where STS calls go.
struct sts_endpoint {
    std::string url;      ///< e.g. "https://sts.eu-west-1.amazonaws.com"
    std::string region;   ///< the signing region
    std::string source;   ///< what chose it, for messages
    std::string ca_file;  ///< AWS_CA_BUNDLE, if set
};

/// The endpoint as the SDKs choose it: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else
/// `profile_endpoint` (a profile's sts endpoint_url), else by `regional_mode`
/// (AWS_STS_REGIONAL_ENDPOINTS / the profile's `sts_regional_endpoints`): "legacy" calls
/// the global https://sts.amazonaws.com (signing region us-east-1), anything else (the
/// default, "regional") https://sts.<region>.amazonaws.com (.com.cn in China).
sts_endpoint resolve_sts_endpoint(const env_lookup& env, std::string_view region,
                                  std::string_view regional_mode,
                                  std::string_view profile_endpoint);

/// AssumeRole's parameters.
struct assume_role_request {
    std::string role_arn;
    std::string session_name;
    std::optional<std::string> external_id;
    std::optional<int> duration_seconds;
};

/// STS AssumeRole with `source` credentials. Throws `s3_error` naming `provider`, the
/// endpoint and STS's error code (STS's message is kept, with anything we sent redacted);
/// never a key or token.
timed_credentials sts_assume_role(const sts_endpoint& ep, const credentials& source,
                                  const assume_role_request& request, std::string_view provider);

/// STS AssumeRoleWithWebIdentity. Errors as above; the token is never shown.
timed_credentials sts_assume_role_with_web_identity(const sts_endpoint& ep,
                                                    std::string_view role_arn,
                                                    std::string_view session_name,
                                                    std::string_view web_identity_token,
                                                    std::string_view provider);

/// A default role session name: "functionfuse-<unix seconds>" (the SDKs use a timestamp).
std::string default_session_name();

}  // namespace functionfuse::s3
