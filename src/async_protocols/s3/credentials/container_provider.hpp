#pragma once
// Credentials from the container credentials endpoint (ECS task roles, EKS Pod Identity):
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI against http://169.254.170.2, or
// AWS_CONTAINER_CREDENTIALS_FULL_URI with an Authorization header from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at every fetch: EKS rotates it) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.

#include <chrono>
#include <optional>
#include <string>

#include "async_protocols/s3/credentials/credentials.hpp"
#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// Container endpoint provider.
/// Errors: `config_error` naming the variable (a FULL_URI the SDKs do not allow: plain http to
/// a host that is neither loopback nor the ECS/EKS link-local address; an unreadable token
/// file; a control byte in the token) and `s3_error` ("CredentialsEndpointError") for no
/// answer, an HTTP error or a malformed document. Never the token or a key.
class container_provider final : public credentials_provider {
  public:
    /// nullptr when neither URI variable is set. Throws `config_error` for a FULL_URI that
    /// is not allowed.
    static std::unique_ptr<container_provider> from_environment(const env_lookup& env);
    timed_credentials fetch() override;
    std::string describe() const override;

    std::chrono::milliseconds timeout{2000};  ///< per attempt (botocore's is 2 s)

  private:
    container_provider() = default;
    std::string url_;
    std::string url_variable_;
    std::optional<std::string> token_;       // AWS_CONTAINER_AUTHORIZATION_TOKEN
    std::optional<std::string> token_file_;  // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
};

}  // namespace functionfuse::s3
