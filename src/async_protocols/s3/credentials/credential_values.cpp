#include "async_protocols/s3/credentials/credential_values.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

namespace functionfuse::s3 {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size())
        return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
    int y, mo, d, h, mi, se;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) ||
        s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, se)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return std::nullopt;
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
            ++pos;
    }
    std::string_view zone = s.substr(pos);
    if (zone != "Z" && zone != "z" && zone != "+00:00" && zone != "+0000")
        return std::nullopt;
    const long long seconds = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + se;
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void check_credential_value(std::string_view value, std::string_view field, bool optional) {
    if (value.empty()) {
        if (optional)
            return;
        throw bad_credentials{std::string(field) + " is missing or empty"};
    }
    if (value.size() > 4096)
        throw bad_credentials{std::string(field) + " is longer than 4096 bytes"};
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto b = static_cast<unsigned char>(value[i]);
        if (b < 0x20 || b == 0x7F) {
            throw bad_credentials{std::string(field) + " contains a control character (byte " +
                                  std::to_string(b) + " at offset " + std::to_string(i) +
                                  "; the value is not shown)"};
        }
    }
}

timed_credentials parse_credentials_json(std::string_view json, std::string_view token_field,
                                         bool require_expiration) {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object())
        throw bad_credentials{"the answer is not a JSON object"};
    const auto& obj = doc.as_object();
    const auto member = [&](std::string_view name) -> std::string {
        const auto* v = obj.if_contains(name);
        if (!v || v->is_null())
            return {};
        if (!v->is_string())
            throw bad_credentials{"\"" + std::string(name) + "\" is not a string"};
        return std::string(v->as_string());
    };
    if (const auto* code = obj.if_contains("Code");
        code && code->is_string() && code->as_string() != "Success") {
        throw bad_credentials{"\"Code\" is not \"Success\""};
    }
    if (const auto* version = obj.if_contains("Version")) {
        if (!version->is_int64() || version->as_int64() != 1)
            throw bad_credentials{"\"Version\" is not 1"};
    }
    timed_credentials out;
    out.creds.access_key_id = member("AccessKeyId");
    out.creds.secret_access_key = member("SecretAccessKey");
    out.creds.session_token = member(token_field);
    check_credential_value(out.creds.access_key_id, "\"AccessKeyId\"", false);
    check_credential_value(out.creds.secret_access_key, "\"SecretAccessKey\"", false);
    check_credential_value(out.creds.session_token, "\"" + std::string(token_field) + "\"", true);
    const std::string expiration = member("Expiration");
    if (!expiration.empty()) {
        out.expiration = parse_iso8601(expiration);
        if (!out.expiration)
            throw bad_credentials{"\"Expiration\" is not an ISO 8601 UTC time"};
    } else if (require_expiration) {
        throw bad_credentials{"\"Expiration\" is missing"};
    }
    return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.empty())
            continue;
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
            text.replace(pos, secret.size(), "<redacted>");
            pos += 10;
        }
    }
    return text;
}

}  // namespace functionfuse::s3

#include <functionfuse/error.hpp>

namespace functionfuse::s3 {

void throw_endpoint_error(std::string_view provider, const std::string& message, int http_status,
                          std::string_view code) {
    throw s3_error(std::string(code), std::string(provider) + ": " + message, "", http_status, "");
}

}  // namespace functionfuse::s3
