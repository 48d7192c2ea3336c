// Endpoint parsing with Boost.URL and S3 bucket addressing. A custom endpoint (MinIO, s3rver)
// usually needs path-style addressing, because bucket.<ip> names do not resolve.

#include "async_protocols/s3/core/endpoint.hpp"

#include <charconv>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <functionfuse/error.hpp>

#include "value/error_text.hpp"

#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {
namespace {

bool is_ipv6_literal(const std::string& host) {
    return host.find(':') != std::string::npos;
}

std::string bracketed(const std::string& host) {
    return is_ipv6_literal(host) ? "[" + host + "]" : host;
}

// The URL for a message. Its query and fragment are never shown (a presigned URL's query
// holds X-Amz-Security-Token and X-Amz-Credential), nor a URL with user info (a password).
std::string shown(std::string_view url) {
    const auto cut = url.find_first_of("?#");
    const std::string_view head = url.substr(0, cut);
    if (head.find('@') != std::string_view::npos)
        return "(URL not shown: it holds user info)";
    std::string out = "'" + detail::shown(head) + "'";
    if (cut != std::string_view::npos)
        out += " (its query or fragment not shown)";
    return out;
}

// `s` with bytes outside printable ASCII shown as \xNN, so a hostile value cannot break the
// line of an error text (and is cut after 100 characters).
std::string printable(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < 100; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (s.size() > 100)
        out += "...";
    return out;
}

bool looks_like_ipv4(std::string_view s) {
    int dots = 0;
    for (char c : s) {
        if (c == '.') {
            ++dots;
        } else if (c < '0' || c > '9') {
            return false;
        }
    }
    return dots == 3;
}

}  // namespace

std::string endpoint::host_header() const {
    std::string h = bracketed(host);
    if (!default_port())
        h += ":" + std::to_string(port);
    return h;
}

std::string endpoint::origin() const {
    return (use_tls ? "https://" : "http://") + host_header();
}

endpoint parse_endpoint_url(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        throw config_error("endpoint_url", shown(url) +
                                               " is not an absolute URL like "
                                               "http://127.0.0.1:9000 (" +
                                               parsed.error().message() + ")");
    }
    const boost::urls::url_view u = *parsed;
    if (u.has_userinfo()) {
        throw config_error("endpoint_url",
                           "user info in the endpoint URL is not supported (and not shown); "
                           "give credentials separately");
    }
    endpoint ep;
    if (u.scheme_id() == boost::urls::scheme::https) {
        ep.use_tls = true;
    } else if (u.scheme_id() == boost::urls::scheme::http) {
        ep.use_tls = false;
    } else {
        throw config_error("endpoint_url", "scheme must be http or https in " + shown(url));
    }
    if (u.host_type() == boost::urls::host_type::ipv6) {
        ep.host = u.host_address();  // without brackets
    } else {
        ep.host = u.host();
    }
    if (ep.host.empty())
        throw config_error("endpoint_url", "no host in " + shown(url));
    // The host is percent-decoded: "h%0d%0aX" would put a CR/LF into the Host header.
    try {
        check_host(ep.host);
    } catch (const config_error& e) {
        throw config_error("endpoint_url",
                           std::string(e.what()).substr(std::string(e.what()).find("': ") + 3));
    }
    if (u.has_port()) {
        // Parsed here: Boost.URL's port_number() does not flag values above 65535.
        const std::string_view text = u.port();
        unsigned long value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
            value > 65535) {
            throw config_error("endpoint_url", "bad port in " + shown(url));
        }
        ep.port = static_cast<std::uint16_t>(value);
    } else {
        ep.port = ep.use_tls ? 443 : 80;
    }
    if (!(u.encoded_path().empty() || u.encoded_path() == "/")) {
        throw config_error("endpoint_url",
                           "a path in the endpoint URL is not supported: " + shown(url) +
                               " (put the bucket and prefix in the storage path instead)");
    }
    if (u.has_query() || u.has_fragment()) {
        throw config_error(
            "endpoint_url",
            "a query or fragment in the endpoint URL is not supported: " + shown(url));
    }
    return ep;
}

endpoint aws_endpoint(std::string_view region) {
    bool ok = !region.empty() && region.size() <= 64;
    for (char c : region) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
    if (!ok) {
        throw config_error(
            "region", "'" + detail::shown(region) + "' is not an AWS region name like us-east-1");
    }
    endpoint ep;
    ep.use_tls = true;
    ep.port = 443;
    ep.host = "s3." + std::string(region) + ".amazonaws.com";
    if (region.starts_with("cn-"))
        ep.host += ".cn";
    return ep;
}

bool is_virtual_hostable_bucket(std::string_view bucket, bool use_tls) noexcept {
    if (bucket.size() < 3 || bucket.size() > 63)
        return false;
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(bucket.front()) || !alnum(bucket.back()))
        return false;
    for (std::size_t i = 0; i < bucket.size(); ++i) {
        char c = bucket[i];
        if (c == '.') {
            if (use_tls || bucket[i - 1] == '.' || bucket[i - 1] == '-' || bucket[i + 1] == '-') {
                return false;
            }
        } else if (!alnum(c) && c != '-') {
            return false;
        }
    }
    return !looks_like_ipv4(bucket);
}

void check_resolve_map(const std::map<std::string, std::string>& resolve, std::string_view field) {
    for (const auto& [host, address] : resolve) {
        bool name_ok = !host.empty() && host.size() <= 253;
        for (char c : host) {
            name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                  (c >= '0' && c <= '9') || c == '-' || c == '.');
        }
        if (!name_ok) {
            throw config_error(std::string(field), "'" + printable(host) +
                                                       "' is not a host name (letters, digits, "
                                                       "'-' and '.', at most 253 characters)");
        }
        in6_addr buffer{};
        if (inet_pton(AF_INET, address.c_str(), &buffer) != 1 &&
            inet_pton(AF_INET6, address.c_str(), &buffer) != 1) {
            throw config_error(std::string(field) + "." + host,
                               "'" + printable(address) + "' is not an IPv4 or IPv6 address");
        }
    }
}

bool is_aws_host(std::string_view host) noexcept {
    return host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn");
}

object_address address_object(const endpoint& ep, addressing_style style, std::string_view bucket,
                              std::string_view key) {
    object_address out;
    const bool wanted = style == addressing_style::virtual_hosted ||
                        (style == addressing_style::automatic && is_aws_host(ep.host));
    const bool virtual_hosted = wanted && !bucket.empty() && !is_ipv6_literal(ep.host) &&
                                !looks_like_ipv4(ep.host) &&
                                is_virtual_hostable_bucket(bucket, ep.use_tls);
    std::string raw_path = "/";
    if (virtual_hosted) {
        out.host = std::string(bucket) + "." + ep.host;
        out.virtual_hosted = true;
    } else {
        out.host = ep.host;
        if (!bucket.empty()) {
            raw_path += bucket;
            if (!key.empty())
                raw_path += '/';
        }
    }
    raw_path += key;
    out.encoded_path = uri_encode_path(raw_path);
    endpoint target = ep;
    target.host = out.host;
    out.host_header = target.host_header();
    return out;
}

}  // namespace functionfuse::s3
