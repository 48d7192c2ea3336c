// Credentials/region/endpoint resolution with the AWS SDKs' precedence (the credential chain).
// Every error names the setting or file position at fault and never quotes a value: values here are
// secrets.

#include "async_protocols/s3/credentials/credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/credentials/assume_role_provider.hpp"
#include "async_protocols/s3/credentials/container_provider.hpp"
#include "async_protocols/s3/credentials/credentials_cache.hpp"
#include "async_protocols/s3/credentials/imds_provider.hpp"
#include "async_protocols/s3/credentials/process_provider.hpp"
#include "async_protocols/s3/credentials/sts_client.hpp"
#include "async_protocols/s3/credentials/web_identity_provider.hpp"

namespace functionfuse::s3 {
namespace {

std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::optional<std::string> non_empty(std::optional<std::string> v) {
    if (v && v->empty())
        return std::nullopt;
    return v;
}

// Values resolved here go into HTTP headers (key id and region in Authorization, the token in
// x-amz-security-token) or a URL: a CR/LF there would add header lines of its own. Refused
// at the source, naming it; the transports check again before sending (core/request_checks).
void check_no_control(const std::optional<std::string>& value, const std::string& field) {
    if (!value)
        return;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto b = static_cast<unsigned char>((*value)[i]);
        if ((b < 0x20 && b != '\t') || b == 0x7F) {
            throw config_error(field, "contains a control character (byte " + std::to_string(b) +
                                          " at offset " + std::to_string(i) +
                                          "; the value is not shown)");
        }
    }
}

// A profile merged from both shared files: credentials file first, as the AWS CLI does.
struct profile_data {
    std::string name;
    std::map<std::string, std::string> values;
    std::string found_in;  // file path(s), for messages
    bool found = false;
};

}  // namespace

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr)
            return std::nullopt;
        return std::string(v);
    };
}

ini_sections parse_ini(std::string_view text, std::string_view source_name) {
    ini_sections out;
    std::map<std::string, std::string>* section = nullptr;
    std::string nested_parent;  // key of an empty-valued `key =` line opening a nested block
    std::size_t line_no = 0;
    std::size_t pos = 0;
    const auto fail = [&](const std::string& why) {
        throw config_error(std::string(source_name) + ":" + std::to_string(line_no), why);
    };
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view raw =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';')
            continue;
        if (line.front() == '[') {
            if (line.back() != ']')
                fail("a section header must end with ']'");
            std::string name(trim(line.substr(1, line.size() - 2)));
            if (name.empty())
                fail("empty section name");
            section = &out[name];
            nested_parent.clear();
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            fail(
                "expected '[section]' or 'key = value' (the line is not shown: it may hold a "
                "secret)");
        }
        if (section == nullptr)
            fail("a 'key = value' line before any '[section]'");
        std::string key = lowercase(trim(line.substr(0, eq)));
        std::string value(trim(line.substr(eq + 1)));
        if (key.empty())
            fail("empty key");
        if (indented && !nested_parent.empty()) {
            (*section)[nested_parent + "." + key] = std::move(value);
            continue;
        }
        nested_parent = value.empty() ? key : std::string();
        (*section)[key] = std::move(value);
    }
    return out;
}

ini_sections read_ini_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return {};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw io_error("cannot read AWS shared config file " + path.string());
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return parse_ini(text, path.string());
}

namespace {

// The shared credentials and config files, read once per resolution, and their profiles.
class profile_reader {
  public:
    using var_fn = std::function<std::optional<std::string>(std::string_view)>;
    explicit profile_reader(var_fn var) : var_(std::move(var)) {}

    const profile_data& get(const std::string& name) {
        if (auto it = cache_.find(name); it != cache_.end())
            return it->second;
        load_files();
        profile_data p;
        p.name = name;
        const auto merge = [&](const ini_sections& sections, const std::string& section,
                               const std::filesystem::path& path) {
            auto it = sections.find(section);
            if (it == sections.end())
                return;
            for (const auto& [k, v] : it->second)
                p.values.try_emplace(k, v);
            if (!p.found_in.empty())
                p.found_in += " and ";
            p.found_in += path.string();
            p.found = true;
        };
        if (!creds_path_.empty())
            merge(creds_, name, creds_path_);
        if (!config_path_.empty()) {
            merge(config_, "profile " + name, config_path_);
            if (name == "default")
                merge(config_, "default", config_path_);
        }
        return cache_.emplace(name, std::move(p)).first->second;
    }

    std::optional<std::string> value(const profile_data& p, const std::string& key) const {
        auto it = p.values.find(key);
        if (it == p.values.end() || it->second.empty())
            return std::nullopt;
        check_no_control(it->second, field(p, key));
        return it->second;
    }

    static std::string field(const profile_data& p, const std::string& key) {
        return "profile '" + p.name + "' in " + p.found_in + ": " + key;
    }

    std::string where() {
        load_files();
        return (creds_path_.empty() ? std::string("(no credentials file)") : creds_path_.string()) +
               " or " +
               (config_path_.empty() ? std::string("(no config file)") : config_path_.string());
    }

  private:
    void load_files() {
        if (loaded_)
            return;
        loaded_ = true;
        auto home = var_("HOME");
        auto file_path = [&](const char* env_name, const char* leaf) -> std::filesystem::path {
            if (auto p = var_(env_name))
                return *p;
            if (home)
                return std::filesystem::path(*home) / ".aws" / leaf;
            return {};
        };
        creds_path_ = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        config_path_ = file_path("AWS_CONFIG_FILE", "config");
        if (!creds_path_.empty())
            creds_ = read_ini_file(creds_path_);
        if (!config_path_.empty())
            config_ = read_ini_file(config_path_);
    }

    var_fn var_;
    bool loaded_ = false;
    std::filesystem::path creds_path_, config_path_;
    ini_sections creds_, config_;
    std::map<std::string, profile_data> cache_;
};

bool is_true(const std::optional<std::string>& v) {
    return v && lowercase(*v) == "true";
}

}  // namespace

resolved_settings resolve_settings(const credentials_config& cfg, const env_lookup& env) {
    const auto var = [&](std::string_view name) {
        auto v = non_empty(env(name));
        check_no_control(v, std::string(name));
        return v;
    };
    check_no_control(cfg.access_key_id, cfg.fields.access_key_id);
    check_no_control(cfg.secret_access_key, cfg.fields.secret_access_key);
    check_no_control(cfg.session_token, cfg.fields.session_token);
    check_no_control(cfg.region, cfg.fields.region);
    check_no_control(cfg.endpoint_url, cfg.fields.endpoint_url);
    check_no_control(cfg.profile, cfg.fields.profile);
    resolved_settings out;

    // Profiles are read lazily: only when something is still unresolved after config and env.
    profile_reader profiles(var);
    const auto explicit_name = cfg.profile ? non_empty(cfg.profile) : var("AWS_PROFILE");
    const std::string selected = explicit_name.value_or("default");
    const auto load_profile = [&]() -> const profile_data& {
        const profile_data& p = profiles.get(selected);
        if (explicit_name && !p.found) {
            throw config_error(cfg.profile ? cfg.fields.profile : "AWS_PROFILE",
                               "profile '" + selected + "' not found in " + profiles.where());
        }
        return p;
    };
    const auto profile_value = [&](const std::string& key) -> std::optional<std::string> {
        return profiles.value(load_profile(), key);
    };
    // The region as far as configuration, environment and profile give one (STS needs it).
    const auto region_hint = [&]() -> std::optional<std::string> {
        if (auto r = cfg.region ? non_empty(cfg.region) : std::nullopt)
            return r;
        if (auto r = var("AWS_REGION"))
            return r;
        if (auto r = var("AWS_DEFAULT_REGION"))
            return r;
        return profile_value("region");
    };
    const auto sts_for = [&](const profile_data* p) {
        std::optional<std::string> mode = var("AWS_STS_REGIONAL_ENDPOINTS");
        std::optional<std::string> profile_endpoint;
        if (p) {
            if (!mode)
                mode = profiles.value(*p, "sts_regional_endpoints");
            profile_endpoint = profiles.value(*p, "sts.endpoint_url");
        }
        return resolve_sts_endpoint(var, region_hint().value_or("us-east-1"), mode.value_or(""),
                                    profile_endpoint.value_or(""));
    };
    const auto imds = [&]() {
        imds_options o;
        if (auto e = var("AWS_EC2_METADATA_SERVICE_ENDPOINT"))
            o.endpoint = *e;
        return std::make_shared<imds_provider>(o);
    };

    // A profile's credentials: assume role (role_arn with web_identity_token_file,
    // source_profile or credential_source), credential_process, or static keys. nullptr when
    // the profile has none.
    std::function<std::shared_ptr<credentials_provider>(const profile_data&,
                                                        std::vector<std::string>&)>
        from_profile;
    from_profile = [&](const profile_data& p,
                       std::vector<std::string>& visited) -> std::shared_ptr<credentials_provider> {
        visited.push_back(p.name);
        const std::string where = "profile '" + p.name + "' in " + p.found_in;
        const auto static_keys = [&]() -> std::shared_ptr<credentials_provider> {
            auto pkey = profiles.value(p, "aws_access_key_id");
            auto psecret = profiles.value(p, "aws_secret_access_key");
            if (pkey && psecret) {
                credentials c{*pkey, *psecret, profiles.value(p, "aws_session_token").value_or("")};
                return std::make_shared<static_provider>(std::move(c), where);
            }
            if (pkey || psecret) {
                throw config_error(where, pkey ? "aws_access_key_id without aws_secret_access_key"
                                               : "aws_secret_access_key without aws_access_key_id");
            }
            return nullptr;
        };
        if (auto role_arn = profiles.value(p, "role_arn")) {
            if (auto token_file = profiles.value(p, "web_identity_token_file")) {
                return std::make_shared<web_identity_provider>(
                    *token_file, profile_reader::field(p, "web_identity_token_file"), *role_arn,
                    profiles.value(p, "role_session_name").value_or(default_session_name()),
                    sts_for(&p));
            }
            auto source_profile = profiles.value(p, "source_profile");
            auto credential_source = profiles.value(p, "credential_source");
            if (source_profile && credential_source) {
                throw config_error(where,
                                   "role_arn with both source_profile and "
                                   "credential_source (give one)");
            }
            std::shared_ptr<credentials_provider> source;
            if (source_profile) {
                const std::string source_field = profile_reader::field(p, "source_profile");
                if (*source_profile == p.name) {
                    source = static_keys();  // a profile may be its own source (its keys)
                } else {
                    for (const auto& seen : visited)
                        if (seen == *source_profile)
                            throw config_error(source_field, "profiles form a cycle through '" +
                                                                 *source_profile + "'");
                    const profile_data& sp = profiles.get(*source_profile);
                    if (!sp.found) {
                        throw config_error(source_field, "profile '" + *source_profile +
                                                             "' not found in " + profiles.where());
                    }
                    source = from_profile(sp, visited);
                }
                if (!source) {
                    throw config_error(source_field,
                                       "profile '" + *source_profile + "' has no credentials");
                }
            } else if (credential_source) {
                const std::string source_field = profile_reader::field(p, "credential_source");
                if (*credential_source == "Environment") {
                    auto key = var("AWS_ACCESS_KEY_ID");
                    auto secret = var("AWS_SECRET_ACCESS_KEY");
                    if (!key || !secret)
                        throw config_error(source_field,
                                           "Environment, but AWS_ACCESS_KEY_ID / "
                                           "AWS_SECRET_ACCESS_KEY are not set");
                    source = std::make_shared<static_provider>(
                        credentials{*key, *secret, var("AWS_SESSION_TOKEN").value_or("")},
                        "environment");
                } else if (*credential_source == "Ec2InstanceMetadata") {
                    source = imds();
                } else if (*credential_source == "EcsContainer") {
                    source = container_provider::from_environment(var);
                    if (!source)
                        throw config_error(source_field,
                                           "EcsContainer, but neither "
                                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                                           "AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
                } else {
                    throw config_error(source_field,
                                       "must be Environment, Ec2InstanceMetadata "
                                       "or EcsContainer");
                }
            } else {
                throw config_error(where,
                                   "role_arn needs source_profile, credential_source or "
                                   "web_identity_token_file");
            }
            assume_role_request request;
            request.role_arn = *role_arn;
            request.session_name =
                profiles.value(p, "role_session_name").value_or(default_session_name());
            request.external_id = profiles.value(p, "external_id");
            if (auto d = profiles.value(p, "duration_seconds")) {
                int seconds = 0;
                try {
                    seconds = std::stoi(*d);
                } catch (const std::exception&) {
                }
                if (seconds < 900 || seconds > 43200)
                    throw config_error(profile_reader::field(p, "duration_seconds"),
                                       "must be a number of seconds from 900 to 43200");
                request.duration_seconds = seconds;
            }
            return std::make_shared<assume_role_provider>(std::move(source), std::move(request),
                                                          sts_for(&p), where);
        }
        if (auto command = profiles.value(p, "credential_process")) {
            return std::make_shared<process_provider>(
                *command, profile_reader::field(p, "credential_process"));
        }
        return static_keys();
    };

    // Credentials, in the SDKs' order. A profile named in the configuration itself (not by
    // AWS_PROFILE) skips the environment's keys, as botocore does for an explicit profile:
    // the user asked for that profile (which may still use them: credential_source).
    const bool profile_in_config = cfg.profile && !cfg.profile->empty();
    std::shared_ptr<credentials_provider> provider;
    std::shared_ptr<imds_provider> instance;  // when the chain ends at IMDS
    std::vector<std::string> looked;          // where nothing was found, for the final error
    if (cfg.anonymous) {
        out.credentials_source = "anonymous (explicit)";
    } else if (cfg.access_key_id || cfg.secret_access_key) {
        if (!non_empty(cfg.access_key_id)) {
            throw config_error(cfg.fields.access_key_id, "a secret is given but no access key id");
        }
        if (!non_empty(cfg.secret_access_key)) {
            throw config_error(cfg.fields.secret_access_key,
                               "an access key id is given but no secret");
        }
        provider = std::make_shared<static_provider>(
            credentials{*cfg.access_key_id, *cfg.secret_access_key, cfg.session_token.value_or("")},
            "configuration");
    } else if (auto key = var("AWS_ACCESS_KEY_ID"), secret = var("AWS_SECRET_ACCESS_KEY");
               !profile_in_config && (key || secret)) {
        if (!key) {
            throw config_error("AWS_ACCESS_KEY_ID",
                               "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
        }
        if (!secret) {
            throw config_error("AWS_SECRET_ACCESS_KEY",
                               "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        }
        provider = std::make_shared<static_provider>(
            credentials{*key, *secret, var("AWS_SESSION_TOKEN").value_or("")}, "environment");
    } else if (auto token_file = var("AWS_WEB_IDENTITY_TOKEN_FILE")) {
        auto role = var("AWS_ROLE_ARN");
        if (!role) {
            throw config_error("AWS_ROLE_ARN",
                               "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
        }
        provider = std::make_shared<web_identity_provider>(
            *token_file, "AWS_WEB_IDENTITY_TOKEN_FILE", *role,
            var("AWS_ROLE_SESSION_NAME").value_or(default_session_name()), sts_for(nullptr));
    } else {
        std::vector<std::string> visited;
        provider = from_profile(load_profile(), visited);
        if (!provider) {
            looked.push_back("profile '" + selected + "' of the shared credentials/config files");
            provider = container_provider::from_environment(var);
        }
        if (!provider && is_true(var("AWS_EC2_METADATA_DISABLED"))) {
            looked.push_back("not instance metadata (AWS_EC2_METADATA_DISABLED)");
        } else if (!provider) {
            instance = imds();
            provider = instance;
        }
    }

    if (provider) {
        timed_credentials first;
        try {
            first = provider->fetch();
        } catch (const s3_error& e) {
            if (!instance)
                throw;
            // The chain's end: nothing anywhere. The IMDS reason says why the last hope failed.
            looked.push_back("instance metadata (" + std::string(e.message()) + ")");
            provider.reset();
        }
        if (provider) {
            out.credentials_source = provider->describe();
            out.creds = first.creds;
            if (first.expiration)
                out.cache = std::make_shared<credentials_cache>(provider, std::move(first));
        }
    }
    if (!provider && !cfg.anonymous) {
        std::string list;
        for (const auto& l : looked)
            list += "; " + l;
        throw config_error(
            "credentials",
            "no S3 credentials found: not in the configuration (key/secret), not in "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not AWS_WEB_IDENTITY_TOKEN_FILE, not in "
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI" +
                list + "; set anonymous access explicitly for public buckets");
    }

    // Region and endpoint.
    if (auto r = region_hint()) {
        out.region = *r;
    } else if (instance && provider) {
        try {
            out.region = instance->region();
        } catch (const s3_error&) {
            out.region = "us-east-1";
        }
    } else {
        out.region = "us-east-1";
    }
    if (auto e = cfg.endpoint_url ? non_empty(cfg.endpoint_url) : std::nullopt) {
        out.endpoint_url = *e;
    } else if (auto e = var("AWS_ENDPOINT_URL_S3")) {
        out.endpoint_url = *e;
    } else if (auto e = var("AWS_ENDPOINT_URL")) {
        out.endpoint_url = *e;
    } else if (auto e = profile_value("s3.endpoint_url")) {
        out.endpoint_url = *e;
    } else {
        out.endpoint_url = profile_value("endpoint_url").value_or("");
    }
    return out;
}

}  // namespace functionfuse::s3
