#pragma once
// Test helper: parses a raw HTTP/1.1 request as written in the SigV4 test-suite files
// (.req / request.txt, LF line ends) or as captured from a socket (CRLF), into a form the
// signer takes. Header continuation lines (obsolete folding: a line starting with a space or
// tab) are appended to the previous header's value after a single space.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "async_protocols/s3/core/uri_encode.hpp"

namespace ff_test {

struct raw_http_request {
    std::string method;
    std::string target;  ///< as on the request line, e.g. "/example space/?a=b"
    std::vector<std::pair<std::string, std::string>> headers;  ///< names as written
    std::string body;

    /// The part of the target before '?'.
    std::string path() const { return target.substr(0, target.find('?')); }
    /// The part after '?' (empty without one).
    std::string raw_query() const {
        auto q = target.find('?');
        return q == std::string::npos ? std::string() : target.substr(q + 1);
    }
    /// The query split on '&' and '=' and percent-decoded; a parameter without '=' gets "".
    std::vector<std::pair<std::string, std::string>> decoded_query() const {
        std::vector<std::pair<std::string, std::string>> out;
        std::string q = raw_query();
        std::size_t start = 0;
        while (!q.empty() && start <= q.size()) {
            auto amp = q.find('&', start);
            std::string item = q.substr(start, amp == std::string::npos ? amp : amp - start);
            auto eq = item.find('=');
            if (eq == std::string::npos) {
                out.emplace_back(functionfuse::s3::percent_decode(item), "");
            } else {
                out.emplace_back(functionfuse::s3::percent_decode(item.substr(0, eq)),
                                 functionfuse::s3::percent_decode(item.substr(eq + 1)));
            }
            if (amp == std::string::npos)
                break;
            start = amp + 1;
        }
        return out;
    }
    /// Value of the first header named `name` (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const {
        for (const auto& [n, v] : headers) {
            if (iequals(n, name))
                return v;
        }
        return {};
    }
    /// Removes every header named `name` (case-insensitive).
    void remove_header(std::string_view name) {
        std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
    }

    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
            if (lower(a[i]) != lower(b[i]))
                return false;
        }
        return true;
    }
};

/// Parses `text`; throws std::runtime_error when the request line is malformed.
inline raw_http_request parse_raw_http_request(std::string_view text) {
    raw_http_request req;
    std::size_t pos = 0;
    auto next_line = [&](std::string_view& line) {
        if (pos >= text.size())
            return false;
        auto nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        return true;
    };
    std::string_view line;
    if (!next_line(line))
        throw std::runtime_error("empty request");
    // The target may contain spaces ("/example space/"): method is before the first space,
    // the version after the last one.
    auto first = line.find(' ');
    auto last = line.rfind(' ');
    if (first == std::string_view::npos || last == first || line.substr(last + 1, 5) != "HTTP/") {
        throw std::runtime_error("bad request line: " + std::string(line));
    }
    req.method = std::string(line.substr(0, first));
    req.target = std::string(line.substr(first + 1, last - first - 1));
    while (next_line(line)) {
        if (line.empty())
            break;
        if ((line.front() == ' ' || line.front() == '\t') && !req.headers.empty()) {
            req.headers.back().second += ' ';
            req.headers.back().second += line;
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            throw std::runtime_error("bad header line: " + std::string(line));
        }
        req.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(colon + 1)));
    }
    req.body = std::string(text.substr(pos));
    return req;
}

}  // namespace ff_test
