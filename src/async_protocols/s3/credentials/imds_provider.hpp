#pragma once
// Credentials of the EC2 instance profile from the instance metadata service, IMDSv2 only
// (as the AWS SDKs do by default since IMDSv1 fallback was turned off): PUT a session token
// with a TTL, then GET the role name, then GET that role's credentials, each request carrying
// the token. Short timeouts and one retry, so a machine without IMDS (a laptop) is not slowed.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// Settings of the IMDS client.
struct imds_options {
    /// Base URL; AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254.
    std::string endpoint = "http://169.254.169.254";
    /// Lifetime asked for the session token (the SDKs ask for 6 hours).
    std::chrono::seconds token_ttl{21600};
    /// Connect and whole-request limit of each request (the SDKs use 1 s).
    std::chrono::milliseconds timeout{1000};
};

/// IMDSv2 client and credentials provider.
/// Errors: `s3_error` (code "CredentialsEndpointError") naming "instance metadata (IMDSv2)" and
/// the endpoint, for no answer, an HTTP error or a malformed document; never a token or key.
class imds_provider final : public credentials_provider {
  public:
    explicit imds_provider(imds_options options);
    timed_credentials fetch() override;
    std::string describe() const override;
    /// The instance's region (GET /latest/meta-data/placement/region).
    std::string region();

  private:
    std::string token();
    struct answer {
        int status;
        std::string body;
    };
    answer get(const std::string& path);

    imds_options options_;
    std::mutex mutex_;
    std::string token_;
    std::chrono::steady_clock::time_point token_expiry_{};
};

}  // namespace functionfuse::s3
