#pragma once
// Credentials for a role assumed with a web-identity (OIDC) token: EKS IRSA, GitHub Actions
// and other CI runners. The token file is read at every fetch (the platform rotates it) and
// exchanged at STS AssumeRoleWithWebIdentity.

#include <string>

#include "async_protocols/s3/credentials/provider.hpp"
#include "async_protocols/s3/credentials/sts_client.hpp"

namespace functionfuse::s3 {

/// Web-identity provider.
/// Errors: `config_error` naming `token_file_field` for a token file that is missing,
/// unreadable, empty, larger than 16 KiB or holds control bytes; `s3_error` from STS. Never
/// the token.
class web_identity_provider final : public credentials_provider {
  public:
    /// `token_file_field` / `role_field` name where the settings came from in messages
    /// ("AWS_WEB_IDENTITY_TOKEN_FILE" or "profile 'ci' in <path>: web_identity_token_file").
    web_identity_provider(std::string token_file, std::string token_file_field,
                          std::string role_arn, std::string session_name, sts_endpoint sts);
    timed_credentials fetch() override;
    std::string describe() const override;

  private:
    std::string token_file_, token_file_field_, role_arn_, session_name_;
    sts_endpoint sts_;
};

}  // namespace functionfuse::s3
