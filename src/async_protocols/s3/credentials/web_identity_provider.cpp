#include "async_protocols/s3/credentials/web_identity_provider.hpp"

#include <fstream>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/credentials/credential_values.hpp"

namespace functionfuse::s3 {

namespace {
constexpr std::string_view provider_name = "web identity";
constexpr std::size_t max_token = 16 * 1024;
}  // namespace

web_identity_provider::web_identity_provider(std::string token_file, std::string token_file_field,
                                             std::string role_arn, std::string session_name,
                                             sts_endpoint sts)
    : token_file_(std::move(token_file)),
      token_file_field_(std::move(token_file_field)),
      role_arn_(std::move(role_arn)),
      session_name_(std::move(session_name)),
      sts_(std::move(sts)) {}

std::string web_identity_provider::describe() const {
    return std::string(provider_name) + " (" + token_file_field_ + ", STS " + sts_.url + ")";
}

timed_credentials web_identity_provider::fetch() {
    std::ifstream in(token_file_, std::ios::binary);
    if (!in) {
        throw config_error(token_file_field_, std::string(provider_name) +
                                                  ": cannot read the token file " + token_file_);
    }
    std::string token(max_token + 1, '\0');
    in.read(token.data(), static_cast<std::streamsize>(token.size()));
    token.resize(static_cast<std::size_t>(in.gcount()));
    if (token.size() > max_token) {
        throw config_error(token_file_field_, std::string(provider_name) + ": the token file " +
                                                  token_file_ + " is larger than 16 KiB");
    }
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
        token.pop_back();
    try {
        check_credential_value(token, "the token in " + token_file_, false);
    } catch (const bad_credentials& e) {
        throw config_error(token_file_field_, std::string(provider_name) + ": " + e.reason);
    }
    return sts_assume_role_with_web_identity(sts_, role_arn_, session_name_, token, provider_name);
}

}  // namespace functionfuse::s3
