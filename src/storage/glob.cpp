// fnmatch-style matching with Python's `fnmatch.fnmatchcase` semantics, on code points.
// The pattern is compiled to a list of one-character matchers and `*`s, then matched with the
// classic greedy algorithm that backtracks only to the last `*` (linear memory, no regex).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "functionfuse/storage.hpp"

namespace functionfuse {

namespace {

/// Decodes strict UTF-8 (RFC 3629). A byte that does not start a valid sequence becomes
/// U+DC00 + byte, as Python's surrogateescape does: strict decoding never yields a surrogate, so
/// such a byte can neither equal a real character nor turn into a metacharacter (the overlong
/// 0xC1 0x9B would otherwise decode to '[' in a name that has no '[' byte).
std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        int len = b0 < 0x80           ? 1
                  : (b0 >> 5) == 0x6  ? 2
                  : (b0 >> 4) == 0xE  ? 3
                  : (b0 >> 3) == 0x1E ? 4
                                      : 0;
        bool ok = len > 0 && i + len <= s.size();
        char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
        for (int k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b >> 6) != 0x2)
                ok = false;
            cp = (cp << 6) | (b & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (ok && (cp < least[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
            ok = false;
        if (!ok) {
            out.push_back(char32_t{0xDC00} + b0);
            ++i;
        } else {
            out.push_back(cp);
            i += len;
        }
    }
    return out;
}

struct matcher {
    enum class kind { literal, any, star, set };
    explicit matcher(kind k_, char32_t c_ = 0) : k(k_), c(c_) {}
    kind k;
    char32_t c;
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;  // inclusive; reversed ones match nothing

    bool matches(char32_t x) const {
        switch (k) {
            case kind::literal:
                return x == c;
            case kind::any:
                return true;
            case kind::set: {
                bool in = false;
                for (auto [lo, hi] : ranges)
                    in = in || (lo <= x && x <= hi);
                return in != negated;
            }
            case kind::star:
                break;
        }
        return false;
    }
};

std::vector<matcher> compile(const std::u32string& p) {
    std::vector<matcher> out;
    for (std::size_t i = 0; i < p.size();) {
        const char32_t c = p[i++];
        if (c == U'*') {
            if (out.empty() || out.back().k != matcher::kind::star)
                out.emplace_back(matcher::kind::star);
        } else if (c == U'?') {
            out.emplace_back(matcher::kind::any);
        } else if (c == U'[') {
            std::size_t j = i;
            const bool negated = j < p.size() && p[j] == U'!';
            if (negated)
                ++j;
            const std::size_t body = j;
            if (j < p.size() && p[j] == U']')
                ++j;  // a leading ']' is a member
            while (j < p.size() && p[j] != U']')
                ++j;
            if (j >= p.size()) {  // unclosed: a literal '['
                out.emplace_back(matcher::kind::literal, U'[');
                continue;
            }
            matcher m(matcher::kind::set);
            m.negated = negated;
            for (std::size_t k = body; k < j;) {
                if (k + 2 < j && p[k + 1] == U'-') {
                    m.ranges.emplace_back(p[k], p[k + 2]);
                    k += 3;
                } else {
                    m.ranges.emplace_back(p[k], p[k]);
                    ++k;
                }
            }
            out.push_back(std::move(m));
            i = j + 1;
        } else {
            out.emplace_back(matcher::kind::literal, c);
        }
    }
    return out;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view name) {
    const auto pat = compile(decode(pattern));
    const auto s = decode(name);
    std::size_t pi = 0, si = 0;
    std::size_t star = SIZE_MAX, star_si = 0;
    while (si < s.size()) {
        if (pi < pat.size() && pat[pi].k == matcher::kind::star) {
            star = pi++;
            star_si = si;
        } else if (pi < pat.size() && pat[pi].matches(s[si])) {
            ++pi;
            ++si;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++star_si;
        } else {
            return false;
        }
    }
    while (pi < pat.size() && pat[pi].k == matcher::kind::star)
        ++pi;
    return pi == pat.size();
}

}  // namespace functionfuse
