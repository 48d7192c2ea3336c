#pragma once
// Credentials printed by a profile's `credential_process` (SSO helpers, password managers):
// the command runs through /bin/sh, its standard output is the JSON document of the AWS
// "sourcing credentials with an external process" protocol (Version 1, AccessKeyId,
// SecretAccessKey, optional SessionToken and Expiration). Its standard error passes through.

#include <string>

#include "async_protocols/s3/credentials/provider.hpp"

namespace functionfuse::s3 {

/// credential_process provider.
/// Errors: `config_error` naming `field` (the profile entry) when the command cannot start,
/// exits non-zero, prints more than 64 KiB or a malformed document. Never its output.
class process_provider final : public credentials_provider {
  public:
    process_provider(std::string command, std::string field)
        : command_(std::move(command)), field_(std::move(field)) {}
    timed_credentials fetch() override;
    std::string describe() const override { return "credential_process (" + field_ + ")"; }

  private:
    std::string command_, field_;
};

}  // namespace functionfuse::s3
