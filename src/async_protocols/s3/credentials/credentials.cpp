// Credentials/region/endpoint resolution with the AWS CLI's precedence. Every error names the
// setting or file position at fault and never quotes a value: values here are secrets.

#include "async_protocols/s3/credentials/credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include <functionfuse/error.hpp>

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

    // The profile is read lazily: only when something is still unresolved after config and env.
    std::optional<profile_data> profile;
    const auto load_profile = [&]() -> const profile_data& {
        if (profile)
            return *profile;
        profile.emplace();
        auto explicit_name = cfg.profile ? non_empty(cfg.profile) : var("AWS_PROFILE");
        profile->name = explicit_name.value_or("default");
        auto home = var("HOME");
        auto file_path = [&](const char* env_name, const char* leaf) -> std::filesystem::path {
            if (auto p = var(env_name))
                return *p;
            if (home)
                return std::filesystem::path(*home) / ".aws" / leaf;
            return {};
        };
        const std::filesystem::path creds_path =
            file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        const std::filesystem::path config_path = file_path("AWS_CONFIG_FILE", "config");
        const auto merge = [&](const ini_sections& sections, const std::string& section,
                               const std::filesystem::path& path) {
            auto it = sections.find(section);
            if (it == sections.end())
                return;
            for (const auto& [k, v] : it->second)
                profile->values.try_emplace(k, v);
            if (!profile->found_in.empty())
                profile->found_in += " and ";
            profile->found_in += path.string();
            profile->found = true;
        };
        if (!creds_path.empty())
            merge(read_ini_file(creds_path), profile->name, creds_path);
        if (!config_path.empty()) {
            auto sections = read_ini_file(config_path);
            merge(sections, "profile " + profile->name, config_path);
            if (profile->name == "default")
                merge(sections, "default", config_path);
        }
        if (explicit_name && !profile->found) {
            throw config_error(
                cfg.profile ? cfg.fields.profile : "AWS_PROFILE",
                "profile '" + profile->name + "' not found in " +
                    (creds_path.empty() ? std::string("(no credentials file)")
                                        : creds_path.string()) +
                    " or " +
                    (config_path.empty() ? std::string("(no config file)") : config_path.string()));
        }
        return *profile;
    };
    const auto profile_value = [&](const std::string& key) -> std::optional<std::string> {
        const auto& p = load_profile();
        auto it = p.values.find(key);
        if (it == p.values.end() || it->second.empty())
            return std::nullopt;
        check_no_control(it->second, "profile '" + p.name + "' in " + p.found_in + ": " + key);
        return it->second;
    };

    // Credentials.
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
        out.creds = {*cfg.access_key_id, *cfg.secret_access_key, cfg.session_token.value_or("")};
        out.credentials_source = "configuration";
    } else if (auto key = var("AWS_ACCESS_KEY_ID"), secret = var("AWS_SECRET_ACCESS_KEY");
               key || secret) {
        if (!key) {
            throw config_error("AWS_ACCESS_KEY_ID",
                               "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
        }
        if (!secret) {
            throw config_error("AWS_SECRET_ACCESS_KEY",
                               "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        }
        out.creds = {*key, *secret, var("AWS_SESSION_TOKEN").value_or("")};
        out.credentials_source = "environment";
    } else {
        const auto& p = load_profile();
        auto pkey = profile_value("aws_access_key_id");
        auto psecret = profile_value("aws_secret_access_key");
        if (pkey && psecret) {
            out.creds = {*pkey, *psecret, profile_value("aws_session_token").value_or("")};
            out.credentials_source = "profile '" + p.name + "' in " + p.found_in;
        } else if (pkey || psecret) {
            throw config_error("profile '" + p.name + "' in " + p.found_in,
                               pkey ? "aws_access_key_id without aws_secret_access_key"
                                    : "aws_secret_access_key without aws_access_key_id");
        } else {
            throw config_error(
                "credentials",
                "no S3 credentials found: not in the configuration (key/secret), not in "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not in profile '" +
                    p.name +
                    "' of the shared credentials/config files; set anonymous access explicitly "
                    "for public buckets");
        }
    }

    // Region and endpoint.
    if (auto r = cfg.region ? non_empty(cfg.region) : std::nullopt) {
        out.region = *r;
    } else if (auto r = var("AWS_REGION")) {
        out.region = *r;
    } else if (auto r = var("AWS_DEFAULT_REGION")) {
        out.region = *r;
    } else {
        out.region = profile_value("region").value_or("us-east-1");
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
