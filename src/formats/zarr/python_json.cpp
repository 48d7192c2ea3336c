#include "formats/zarr/python_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace functionfuse::zarr::detail {

std::string python_float_repr(double d) {
    // to_chars in scientific form gives the shortest round-trip digits, like Python's repr;
    // only the layout differs, so take digits and exponent apart and lay them out as CPython
    // does (Objects/floatobject.c, format_float_short with 'r' mode).
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    std::string sign;
    if (!s.empty() && s[0] == '-') {
        sign = "-";
        s.erase(0, 1);
    }
    auto e_pos = s.find('e');
    std::string mantissa = s.substr(0, e_pos);
    int exponent = std::stoi(s.substr(e_pos + 1));
    std::string digits;
    for (char c : mantissa)
        if (c != '.')
            digits += c;
    int decpt = exponent + 1;  // position of the decimal point relative to the digits
    std::string out;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
        } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
            out = digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
                  digits.substr(static_cast<std::size_t>(decpt));
        }
    } else {
        out = digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char ebuf[16];
        std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        out += ebuf;
    }
    return sign + out;
}

namespace {

void append_u_escape(std::string& out, unsigned code) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", code);
    out += buf;
}

// ensure_ascii=True: every non-ASCII code point becomes \uXXXX (a surrogate pair above the
// BMP). Bytes that are not valid UTF-8 are escaped one by one rather than dropped.
void write_string(std::string& out, const std::string& s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    if (c < 0x20)
                        append_u_escape(out, c);
                    else
                        out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (len == 0 || i + len > s.size()) {
            append_u_escape(out, c);
            ++i;
            continue;
        }
        unsigned cp = c & (0xFF >> (len + 1));
        for (std::size_t k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            append_u_escape(out, 0xD800 + (cp >> 10));
            append_u_escape(out, 0xDC00 + (cp & 0x3FF));
        } else {
            append_u_escape(out, cp);
        }
        i += len;
    }
    out += '"';
}

void write(std::string& out, const py_json& j, int depth) {
    auto newline = [&](int d) {
        out += '\n';
        out.append(static_cast<std::size_t>(d) * 4, ' ');
    };
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out += "null";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += x ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t> ||
                                 std::is_same_v<T, std::uint64_t>) {
                out += std::to_string(x);
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isnan(x))
                    out += "NaN";
                else if (std::isinf(x))
                    out += x > 0 ? "Infinity" : "-Infinity";
                else
                    out += python_float_repr(x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                write_string(out, x);
            } else if constexpr (std::is_same_v<T, py_json_list>) {
                if (x.empty()) {
                    out += "[]";
                    return;
                }
                out += '[';
                for (std::size_t i = 0; i < x.size(); ++i) {
                    if (i)
                        out += ',';
                    newline(depth + 1);
                    write(out, x[i], depth + 1);
                }
                newline(depth);
                out += ']';
            } else {
                if (x.empty()) {
                    out += "{}";
                    return;
                }
                std::vector<const py_json_member*> sorted;
                for (const auto& kv : x)
                    sorted.push_back(&kv);
                std::sort(sorted.begin(), sorted.end(),
                          [](auto* a, auto* b) { return a->first < b->first; });
                out += '{';
                for (std::size_t i = 0; i < sorted.size(); ++i) {
                    if (i)
                        out += ',';
                    newline(depth + 1);
                    write_string(out, sorted[i]->first);
                    out += ": ";
                    write(out, sorted[i]->second, depth + 1);
                }
                newline(depth);
                out += '}';
            }
        },
        j.v);
}

}  // namespace

std::string python_json_dumps(const py_json& value) {
    std::string out;
    write(out, value, 0);
    return out;
}

}  // namespace functionfuse::zarr::detail
