#include "async_protocols/s3/core/request_checks.hpp"

#include <fmt/format.h>

#include "functionfuse/error.hpp"

namespace functionfuse::s3 {

namespace {

bool is_control(unsigned char b) {
    return (b < 0x20 && b != '\t') || b == 0x7F;
}

bool is_token_char(unsigned char c) {
    // RFC 9110 tchar
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string byte_name(unsigned char b) {
    switch (b) {
        case '\r':
            return "CR (0x0d)";
        case '\n':
            return "LF (0x0a)";
        case '\0':
            return "NUL (0x00)";
        default:
            return fmt::format("0x{:02x}", b);
    }
}

}  // namespace

void check_header_value(std::string_view what, std::string_view value) {
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto b = static_cast<unsigned char>(value[i]);
        if (is_control(b))
            throw config_error(std::string(what),
                               fmt::format("contains the control byte {} at offset {} (value "
                                           "not shown); refusing to send it in a request",
                                           byte_name(b), i));
    }
}

void check_host(std::string_view host) {
    const auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']';
    };
    if (host.empty())
        throw config_error("host", "is empty");
    for (std::size_t i = 0; i < host.size(); ++i) {
        if (!ok(host[i]))
            throw config_error("host",
                               fmt::format("contains the byte {} at offset {}, which no "
                                           "host name or IP literal has",
                                           byte_name(static_cast<unsigned char>(host[i])), i));
    }
}

void check_region(std::string_view region) {
    const auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    };
    if (region.empty() || region.size() > 64)
        throw config_error("region", "must be 1 to 64 characters");
    for (std::size_t i = 0; i < region.size(); ++i) {
        if (!ok(region[i]))
            throw config_error(
                "region",
                fmt::format("contains the byte {} at offset {}; a region name is letters, "
                            "digits, '-', '_' and '.' only",
                            byte_name(static_cast<unsigned char>(region[i])), i));
    }
}

void check_raw_path(std::string_view raw_path) {
    std::string_view rest = raw_path;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (segment == "." || segment == "..")
            throw config_error("key", fmt::format("the request path has a '{}' segment, which "
                                                  "a server may resolve outside the bucket",
                                                  segment));
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
}

void check_signing_inputs(std::string_view region, const credentials& creds) {
    check_region(region);
    check_header_value("access key id", creds.access_key_id);
    check_header_value("session token", creds.session_token);
}

void check_request(const request_parts& parts) {
    check_host(parts.host_header);
    check_raw_path(parts.raw_path);
    if (parts.query) {
        for (const auto& [name, value] : *parts.query)
            check_header_value("query parameter name", name);
    }
    if (parts.headers) {
        for (const auto& [name, value] : *parts.headers) {
            bool token = !name.empty();
            for (char c : name)
                token = token && is_token_char(static_cast<unsigned char>(c));
            if (!token)
                throw config_error("header name", "is not an HTTP token");
            check_header_value("header '" + name + "'", value);
        }
    }
    if (parts.creds)
        check_signing_inputs(parts.region, *parts.creds);
}

}  // namespace functionfuse::s3
