#pragma once
// A test fixture for the credential chain with an injected environment: a map of variables
// (the real environment is never read or changed) and a temporary HOME whose `.aws/credentials`
// and `.aws/config` the test writes, so the user's ~/.aws is never touched.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "async_protocols/s3/credentials/credentials.hpp"
#include "temp_dir.hpp"

namespace ff_test {

using env_map = std::map<std::string, std::string>;

/// A lookup over `vars` only, as `resolve_settings` and the providers take it.
inline functionfuse::s3::env_lookup env_of(env_map vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

/// Writes `text` to `p`, creating its directories.
inline void write_file(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

class credentials_env_test : public ::testing::Test {
  protected:
    ff_test::temp_dir home;
    std::filesystem::path creds_file() const { return home.path() / ".aws" / "credentials"; }
    std::filesystem::path config_file() const { return home.path() / ".aws" / "config"; }
    /// An environment with nothing but HOME (an empty directory).
    env_map base_env() const { return {{"HOME", home.path().string()}}; }
};

}  // namespace ff_test
