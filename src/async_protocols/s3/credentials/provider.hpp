#pragma once
// The credential provider interface: one source of credentials (environment, a profile, STS,
// the container endpoint, instance metadata). A provider is asked again whenever temporary
// credentials near their expiration; `credentials_cache` decides when.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

/// Credentials and, for temporary ones, when they stop working.
struct timed_credentials {
    credentials creds;
    /// Empty: long-term credentials that are never refreshed.
    std::optional<std::chrono::system_clock::time_point> expiration;
};

/// One source of credentials.
class credentials_provider {
  public:
    virtual ~credentials_provider() = default;
    /// Fetches credentials, blocking (files, processes, HTTP with short timeouts).
    /// Throws `config_error` (a setting or file is wrong or missing) or `s3_error` (an
    /// endpoint answered with an error or not at all), naming this provider and the variable,
    /// file or endpoint at fault, never a secret. Thread-safety: called by one thread at a time.
    virtual timed_credentials fetch() = 0;
    /// What the credentials come from, for messages: "environment", "profile 'dev' in <path>",
    /// "instance metadata (IMDSv2)". Never a secret.
    virtual std::string describe() const = 0;
};

/// Credentials that never change (configuration, environment, a profile's static keys).
class static_provider final : public credentials_provider {
  public:
    static_provider(credentials creds, std::string source)
        : creds_(std::move(creds)), source_(std::move(source)) {}
    timed_credentials fetch() override { return {creds_, std::nullopt}; }
    std::string describe() const override { return source_; }

  private:
    credentials creds_;
    std::string source_;
};

}  // namespace functionfuse::s3
