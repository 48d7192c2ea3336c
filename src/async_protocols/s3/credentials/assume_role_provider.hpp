#pragma once
// Credentials of a role assumed with STS AssumeRole, signed with a source provider's
// credentials: a profile's `role_arn` with `source_profile` or `credential_source`.

#include <memory>
#include <string>

#include "async_protocols/s3/credentials/provider.hpp"
#include "async_protocols/s3/credentials/sts_client.hpp"

namespace functionfuse::s3 {

/// AssumeRole provider. The source is asked at every refresh (a temporary source refreshes
/// itself that way). Errors: those of the source, and `s3_error` from STS naming `field`.
class assume_role_provider final : public credentials_provider {
  public:
    assume_role_provider(std::shared_ptr<credentials_provider> source, assume_role_request request,
                         sts_endpoint sts, std::string field)
        : source_(std::move(source)),
          request_(std::move(request)),
          sts_(std::move(sts)),
          field_(std::move(field)) {}
    timed_credentials fetch() override {
        const timed_credentials source = source_->fetch();
        const std::string name = "assume role (" + field_ + ")";
        return sts_assume_role(sts_, source.creds, request_, name);
    }
    std::string describe() const override {
        return "assume role (" + field_ + ", source: " + source_->describe() + ")";
    }

  private:
    std::shared_ptr<credentials_provider> source_;
    assume_role_request request_;
    sts_endpoint sts_;
    std::string field_;
};

}  // namespace functionfuse::s3
