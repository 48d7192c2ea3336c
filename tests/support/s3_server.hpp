#pragma once
// Test helper: the S3 server a ctest fixture started for this test. The S3 tests run once per
// target "<server>-<scheme>" (s3rver-http, s3rver-https, rgw-http, rgw-https; see
// tests/CMakeLists.txt); the fixture's start script (tests/tools/s3rver.sh, tests/tools/rgw/rgw.sh)
// writes an endpoint file of KEY=VALUE lines and ctest names it in FF_S3_ENDPOINT_FILE.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "async_protocols/s3/core/client_params.hpp"

namespace ff_test {

/// One running S3 server as the tests see it.
struct s3_server {
    std::string name;    ///< "s3rver" or "rgw" (FF_S3_SERVER; s3rver when absent)
    std::string scheme;  ///< "http" or "https"
    std::string host;    ///< an IP literal (127.0.0.1)
    std::uint16_t port = 0;
    std::string bucket;        ///< created by the start script
    std::string ca_file;       ///< the throwaway CA of an https server; empty for http
    std::string key, secret;   ///< an access key pair the server accepts
    std::string vhost_domain;  ///< a DNS name the server takes virtual-hosted requests under
                               ///< (rgw: s3.test, resolved by the client); empty if none
    std::string sts_role_arn;  ///< a role the key pair may assume at the server's STS
                               ///< (rgw.sh with FF_RGW_STS=1); empty when STS is off
    std::string sts_prefix;    ///< the key prefix that role's policy allows (e.g. "sts/")

    bool is_rgw() const { return name == "rgw"; }
    /// Client settings that reach this server path-style, with its CA and key pair.
    functionfuse::s3::client_params client_params() const {
        functionfuse::s3::client_params p;
        p.host = host;
        p.port = port;
        p.use_tls = scheme == "https";
        p.tls.ca_file = ca_file;
        p.creds.access_key_id = key;
        p.creds.secret_access_key = secret;
        return p;
    }
    /// "http://127.0.0.1:PORT"
    std::string endpoint_url() const { return scheme + "://" + host + ":" + std::to_string(port); }
};

/// The server named by FF_S3_ENDPOINT_FILE; nullopt when the variable is unset or the file
/// cannot be read (a test binary run outside ctest).
inline std::optional<s3_server> load_s3_server() {
    const char* file = std::getenv("FF_S3_ENDPOINT_FILE");
    if (!file)
        return std::nullopt;
    std::ifstream in(file);
    if (!in)
        return std::nullopt;
    std::map<std::string, std::string> env;
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq != std::string::npos)
            env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    s3_server s;
    s.name = env.count("FF_S3_SERVER") ? env["FF_S3_SERVER"] : "s3rver";
    s.scheme = env["FF_S3_SCHEME"];
    s.host = env["FF_S3_HOST"];
    s.port = static_cast<std::uint16_t>(std::stoi(env["FF_S3_PORT"]));
    s.bucket = env["FF_S3_BUCKET"];
    s.ca_file = env["FF_S3_CA_FILE"];
    s.key = env["FF_S3_KEY"];
    s.secret = env["FF_S3_SECRET"];
    s.vhost_domain = env["FF_S3_VHOST_DOMAIN"];
    s.sts_role_arn = env["FF_S3_STS_ROLE_ARN"];
    s.sts_prefix = env["FF_S3_STS_PREFIX"];
    return s;
}

/// The skip message of a test run outside ctest.
inline constexpr const char* no_s3_server_message =
    "no S3 server: run through ctest (its fixtures start one and set FF_S3_ENDPOINT_FILE)";

}  // namespace ff_test
