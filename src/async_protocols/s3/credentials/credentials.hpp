#pragma once
// Where the S3 client's credentials, region and endpoint come from: the AWS SDKs' credential
// chain (docs/configuration.md). Explicit configuration, the environment, web identity, the
// shared ~/.aws/credentials and ~/.aws/config profiles (static keys, credential_process,
// assumed roles), the container endpoint, instance metadata. Anonymous access is only ever
// chosen explicitly. The environment is injected and files are read by path.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

class credentials_cache;

/// Explicit settings (e.g. the storage config's `options.s3fs` keys). Unset members fall back
/// to the environment and the profile files.
struct credentials_config {
    std::optional<std::string> access_key_id;      ///< `s3fs.key`
    std::optional<std::string> secret_access_key;  ///< `s3fs.secret`
    std::optional<std::string> session_token;      ///< `s3fs.token`
    std::optional<std::string> region;             ///< `s3fs.client_kwargs.region_name`
    std::optional<std::string> endpoint_url;       ///< `s3fs.endpoint_url`
    std::optional<std::string> profile;            ///< `s3fs.profile`; else AWS_PROFILE
    bool anonymous = false;                        ///< `s3fs.anon`: send unsigned requests

    /// Where each explicit setting came from, as errors name it (dotted config paths).
    struct field_names {
        std::string access_key_id = "options.s3fs.key";
        std::string secret_access_key = "options.s3fs.secret";
        std::string session_token = "options.s3fs.token";
        std::string region = "options.s3fs.client_kwargs.region_name";
        std::string endpoint_url = "options.s3fs.endpoint_url";
        std::string profile = "options.s3fs.profile";
    } fields;
};

/// The outcome of resolution.
struct resolved_settings {
    /// The credentials found (for temporary ones: the first set fetched); empty access key
    /// id when anonymous.
    credentials creds;
    /// For temporary credentials (web identity, an assumed role, a credential_process with
    /// an Expiration, the container endpoint, IMDS): the cache that refreshes them, which the
    /// clients ask before every request. nullptr for long-term credentials.
    std::shared_ptr<credentials_cache> cache;
    std::string region;              ///< never empty; "us-east-1" when nothing says otherwise
    std::string endpoint_url;        ///< empty: the AWS endpoint for the region
    std::string credentials_source;  ///< e.g. "environment", "profile 'dev' in <path>" (no secret)
};

/// Looks up an environment variable; `std::nullopt` when unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (std::getenv).
env_lookup process_environment();

/// An INI document as the AWS shared files use it: section -> (lowercased key -> value).
/// A nested block (`s3 =` followed by indented `key = value` lines) is stored as `s3.key`.
using ini_sections = std::map<std::string, std::map<std::string, std::string>>;

/// Parses INI text. Blank lines and lines starting with '#' or ';' are ignored; keys and
/// values are trimmed; values are kept verbatim otherwise (no inline comments, so a '#' in a
/// secret survives). Throws `config_error` whose field is `<source_name>:<line>` for a line
/// that is neither a section, a `key = value` pair nor a nested pair; the message never quotes
/// the line (it may hold a secret).
ini_sections parse_ini(std::string_view text, std::string_view source_name);

/// Reads and parses an INI file; an absent file yields no sections. Throws `config_error`
/// on a parse error and `io_error` when the file exists but cannot be read.
ini_sections read_ini_file(const std::filesystem::path& path);

/// Resolves credentials, region and endpoint:
/// - credentials, the first source that has them: `cfg.anonymous`; `cfg` key+secret
///   (+token); AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
///   AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME) via STS
///   AssumeRoleWithWebIdentity; the profile (`cfg.profile`, else AWS_PROFILE, else "default")
///   from AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, sections `[name]`) and
///   AWS_CONFIG_FILE (default ~/.aws/config, sections `[profile name]` or `[default]`):
///   `role_arn` with `web_identity_token_file`, `source_profile` or `credential_source` (STS
///   AssumeRole), else `credential_process`, else static keys; the container endpoint
///   (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI); instance metadata (IMDSv2) unless
///   AWS_EC2_METADATA_DISABLED=true. Sources that need the network or a process are asked
///   once here, so a broken setup fails at construction.
/// - region: `cfg.region`, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, IMDS's
///   (when the credentials come from IMDS), "us-east-1".
/// - endpoint: `cfg.endpoint_url`, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
///   `endpoint_url` (or its nested `s3.endpoint_url`), else empty.
/// Throws `config_error` (never holding a secret) for a half-given key pair, a named profile
/// that does not exist, a broken profile, or no credentials anywhere (the message lists where
/// it looked, says why IMDS failed, and mentions the anonymous option); for a control byte
/// (CR, LF, NUL, ...) in any value that ends up in a request, naming the config field,
/// environment variable or profile entry it came from, never the value; and the errors of
/// the provider that was chosen (`config_error` / `s3_error` naming it).
resolved_settings resolve_settings(const credentials_config& cfg,
                                   const env_lookup& env = process_environment());

}  // namespace functionfuse::s3
